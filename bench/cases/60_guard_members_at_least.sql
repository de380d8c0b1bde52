-- title: HAVING members_at_least(e, 5) vs count(DISTINCT e) >= 5
-- target: <= 1.0
-- baseline:
SELECT (x1 * 100)::int AS g FROM bench_data GROUP BY 1 HAVING count(DISTINCT employee) >= 5;
-- exlink:
SELECT (x1 * 100)::int AS g FROM bench_data GROUP BY 1 HAVING exlink.members_at_least(employee, 5);
