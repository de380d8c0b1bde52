-- title: driver_weights speed-up: leader alone / leader + 1 worker
-- target: >= 1.7
-- setup: SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
-- baseline-setup: SET max_parallel_workers_per_gather = 1;
-- exlink-setup: SET max_parallel_workers_per_gather = 0;
-- The "baseline" is the parallel run and the "exlink" column the serial one, so the ratio
-- exlink_ms / baseline_ms is the speed-up the worker brings.
-- baseline:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]) FROM bench_data;
-- exlink:
SELECT exlink.driver_weights(outcome, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]) FROM bench_data;
