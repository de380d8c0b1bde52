-- title: rank_correlation(outcome, x1) vs corr (sorts; no target)
-- setup: SET max_parallel_workers_per_gather = 0; SET work_mem = '1GB';
-- baseline:
SELECT corr(outcome, x1) FROM bench_data;
-- exlink:
SELECT exlink.rank_correlation(outcome, x1) FROM bench_data;
