-- title: alerts from released cells, 150 teams x 24 periods x 5 measures (exlink.alert_statistics: level, change, drift, BH; issue 20 target < 1 s in all) vs reading the same cells' means and standard errors (exlink.mean_se)
-- target: <= 10
-- setup: CREATE TABLE IF NOT EXISTS bench_alert_cells AS SELECT substr(employee, 4)::int % 150 AS team, least((x10 * 24)::int, 23) AS period, exlink.moments(ARRAY[outcome, x1, x2, x3, x4], employee) AS m FROM bench_data GROUP BY 1, 2;
-- baseline:
SELECT count(*), sum(e.se) FROM bench_alert_cells c CROSS JOIN generate_series(1, 5) AS j CROSS JOIN LATERAL exlink.mean_se(c.m, j) AS e;
-- exlink:
SELECT count(*), count(*) FILTER (WHERE s.p_adjusted < 0.05) FROM (SELECT array_agg(lpad(c.period::text, 2, '0')) p, array_agg(c.period + 1) r, array_agg(c.team::text) u, array_agg(j::text) ms, array_agg(exlink.n(c.m)::float8) n, array_agg(e.mean) f, array_agg(e.se) se FROM bench_alert_cells c CROSS JOIN generate_series(1, 5) AS j CROSS JOIN LATERAL exlink.mean_se(c.m, j) AS e) x, LATERAL exlink.alert_statistics(x.p, x.r, x.u, x.ms, x.n, x.f, x.se) s;
