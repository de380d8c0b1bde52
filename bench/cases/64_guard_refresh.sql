-- title: exlink.refresh of a demo-like publication (10 regions x 10 teams, roll-up, employees nested in teams; ledger compared) vs REFRESH MATERIALIZED VIEW CONCURRENTLY of the 0.1.0 publication query
-- target: <= 2.0
-- setup: SET exlink.allow_unsafe_refresh = on;   -- the snapshot refresh (0.2.0 change ledger) is what this case measures; a superuser opt-in since 0.3.0
-- setup: CREATE TABLE IF NOT EXISTS bench_refresh_src AS SELECT (substr(employee, 4)::int / 10) % 10 AS region, substr(employee, 4)::int % 10 AS team, employee, outcome, x3 FROM bench_data;
-- setup: CREATE MATERIALIZED VIEW IF NOT EXISTS bench_refresh_plain AS WITH cells AS (SELECT (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level, region, team, count(*) AS responses, count(DISTINCT employee) AS members, exlink.moments(ARRAY[outcome, x3], employee, 5) AS moments FROM bench_refresh_src GROUP BY ROLLUP (region, team)), keyed AS MATERIALIZED (SELECT c.*, c.level || ':' || jsonb_build_array(c.region, c.team)::text AS cell, CASE c.level WHEN 1 THEN '0:' || jsonb_build_array(NULL, NULL)::text WHEN 2 THEN '1:' || jsonb_build_array(c.region, NULL)::text END AS parent FROM cells c), released AS (SELECT unnest(exlink.complementary_suppression(array_agg(k.cell), array_agg(k.parent), array_agg(k.members), 5)) AS cell FROM keyed k) SELECT region, team, level, cell, responses, members, (exlink.means(moments))[1] AS mean_outcome, (exlink.means(moments))[2] AS mean_x3, moments FROM keyed c WHERE c.cell IN (SELECT cell FROM released);
-- setup: CREATE UNIQUE INDEX IF NOT EXISTS bench_refresh_plain_cell ON bench_refresh_plain (cell);
-- setup: DO $$ BEGIN IF to_regclass('bench_refresh_pub') IS NULL THEN PERFORM exlink.publish('public.bench_refresh_pub', 'bench_refresh_src', 'employee', '{region,team}', '{outcome,x3}', rollup => true); END IF; END $$;
-- baseline:
REFRESH MATERIALIZED VIEW CONCURRENTLY bench_refresh_plain;
-- exlink:
SELECT exlink.refresh('bench_refresh_pub');
