-- title: guarded_avg(y, e) vs CASE count(DISTINCT e) >= 5 THEN avg(y)
-- target: <= 1.0
-- baseline:
SELECT (x1 * 100)::int AS g, CASE WHEN count(DISTINCT employee) >= 5 THEN avg(outcome) END FROM bench_data GROUP BY 1;
-- exlink:
SELECT (x1 * 100)::int AS g, exlink.guarded_avg(outcome, employee) FROM bench_data GROUP BY 1;
