-- title: linked_correlation per employee (20k groups) vs corr per employee
-- setup: SET max_parallel_workers_per_gather = 0; SET work_mem = '256MB';
-- baseline:
SELECT employee, corr(outcome, x1) FROM bench_data GROUP BY employee;
-- exlink:
SELECT employee, exlink.linked_correlation(outcome, x1) FROM bench_data GROUP BY employee;
