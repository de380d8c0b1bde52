-- title: publish-style released cells (100 x 10, roll-up) vs plain GROUP BY ROLLUP
-- target: <= 3.0
-- setup: CREATE TEMP TABLE IF NOT EXISTS bench_cells AS SELECT (x1 * 10)::int AS region, (x2 * 10)::int AS team, employee, outcome, x3 FROM bench_data;
-- baseline:
SELECT region, team, count(*), count(DISTINCT employee), avg(outcome), avg(x3) FROM bench_cells GROUP BY ROLLUP (region, team);
-- exlink:
SELECT count(*) FROM (
WITH cells AS (
    SELECT (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level, region, team, count(*) AS responses,
           count(DISTINCT employee) AS members, exlink.moments(ARRAY[outcome, x3], employee, 5) AS moments
      FROM bench_cells GROUP BY ROLLUP (region, team)),
keyed AS MATERIALIZED (
    SELECT c.*, c.level || ':' || jsonb_build_array(c.region, c.team)::text AS cell,
           CASE c.level WHEN 1 THEN '0:' || jsonb_build_array(NULL, NULL)::text
                        WHEN 2 THEN '1:' || jsonb_build_array(c.region, NULL)::text END AS parent
      FROM cells c),
released AS (
    SELECT unnest(exlink.complementary_suppression(array_agg(k.cell), array_agg(k.parent), array_agg(k.members), 5)) AS cell
      FROM keyed k)
SELECT * FROM keyed c WHERE c.cell IN (SELECT cell FROM released)) s;
