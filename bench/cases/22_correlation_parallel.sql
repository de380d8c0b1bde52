-- title: parallel linked_correlation(outcome, x1) vs parallel corr
-- setup: SET max_parallel_workers_per_gather = 2;
-- baseline:
SELECT corr(outcome, x1) FROM bench_data;
-- exlink:
SELECT exlink.linked_correlation(outcome, x1) FROM bench_data;
