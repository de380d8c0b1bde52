-- title: driver_weights with 999 bootstrap draws of the employees (intervals of the shares) vs without, serial
-- target: <= 3
-- setup: SET max_parallel_workers_per_gather = 0;
-- The difference of the two times is the bootstrap's cost in the final function: 999 passes over
-- the employees' sums (1 + 11 + 66 doubles each at 10 drivers) and 999 Shapley walks over 2^10
-- subsets; at 20,000 employees it must stay under 2 s (issue 18).  The ratio depends on the
-- rows (the aggregation's cost), the difference does not: docs/performance.md gives both.
-- baseline:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee, NULL, 'cluster', NULL, 0, 1) FROM bench_data;
-- exlink:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee, NULL, 'cluster', NULL, 999, 1) FROM bench_data;
