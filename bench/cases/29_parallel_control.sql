-- title: control: avg() of 11 columns speed-up, leader alone / leader + 1 worker
-- setup: SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
-- baseline-setup: SET max_parallel_workers_per_gather = 1;
-- exlink-setup: SET max_parallel_workers_per_gather = 0;
-- The same measurement as 31_drivers_parallel.sql for a built-in: what this machine's second
-- core gives at all (on a loaded 2-core machine, far less than 2x).
-- baseline:
SELECT avg(outcome), avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6), avg(x7), avg(x8), avg(x9), avg(x10) FROM bench_data;
-- exlink:
SELECT avg(outcome), avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6), avg(x7), avg(x8), avg(x9), avg(x10) FROM bench_data;
