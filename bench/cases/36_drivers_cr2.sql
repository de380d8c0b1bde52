-- title: driver_weights with member: the default (CR2, Satterthwaite df) vs CR1 (0.2.0's default), serial
-- target: <= 2
-- setup: SET max_parallel_workers_per_gather = 0;
-- Both keep the moments of each employee; CR2 adds, once per group, two 11 x 11 eigen-
-- decompositions per employee and the df accumulators (O(G q^3)); the ratio is that cost.
-- baseline:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee, NULL, 'cr1') FROM bench_data;
-- exlink:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee) FROM bench_data;
