-- title: moments(2 cols, employee), serial vs count(DISTINCT)
-- setup: SET max_parallel_workers_per_gather = 0;
-- baseline:
SELECT count(DISTINCT employee) FROM bench_data;
-- exlink:
SELECT exlink.moments(ARRAY[outcome, x1], employee) FROM bench_data;
