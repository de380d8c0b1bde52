-- title: linked_correlation(outcome, x1, employee) vs corr
-- target: <= 1.3
-- setup: SET max_parallel_workers_per_gather = 0;
-- baseline:
SELECT corr(outcome, x1) FROM bench_data;
-- exlink:
SELECT exlink.linked_correlation(outcome, x1, employee) FROM bench_data;
