-- title: driver_weights with member (cluster-robust CR2, the default) vs without member, serial
-- target: <= 2
-- setup: SET max_parallel_workers_per_gather = 0;
-- The clustered form keeps the moments of each of the 20,000 employees (about 650 bytes each
-- for 10 drivers) and derives the total from them; the ratio is its cost over the plain form.
-- baseline:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]) FROM bench_data;
-- exlink:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee) FROM bench_data;
