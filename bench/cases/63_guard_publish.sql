-- title: publish's released cells (100 x 10, roll-up) vs plain GROUP BY ROLLUP
-- target: <= 3.0
-- setup: CREATE TEMP TABLE IF NOT EXISTS bench_cells AS SELECT (x1 * 10)::int AS region, (x2 * 10)::int AS team, employee, outcome, x3 FROM bench_data;
-- setup: DO $$ BEGIN EXECUTE format('CREATE OR REPLACE TEMP VIEW bench_publish AS %s', exlink.publish_query('bench_cells', 'employee', '{region,team}', '{outcome,x3}', 5, rollup => true)); END $$;
-- baseline:
SELECT region, team, count(*), count(DISTINCT employee), avg(outcome), avg(x3) FROM bench_cells GROUP BY ROLLUP (region, team);
-- exlink:
SELECT count(*) FROM bench_publish;
