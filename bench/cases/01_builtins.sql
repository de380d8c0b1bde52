-- title: baseline: count(DISTINCT employee) vs corr(outcome, x1)
-- baseline:
SELECT corr(outcome, x1) FROM bench_data;
-- exlink:
SELECT count(DISTINCT employee) FROM bench_data;
