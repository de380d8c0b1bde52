-- title: exlink.refresh of a publication (100 x 10, roll-up; ledger compared, nothing to release) vs REFRESH MATERIALIZED VIEW CONCURRENTLY of the same cells
-- target: <= 2.0
-- setup: CREATE TABLE IF NOT EXISTS bench_refresh_src AS SELECT (x1 * 10)::int AS region, (x2 * 10)::int AS team, employee, outcome, x3 FROM bench_data;
-- setup: DO $$ BEGIN IF to_regclass('bench_refresh_plain') IS NULL THEN EXECUTE format('CREATE MATERIALIZED VIEW bench_refresh_plain AS %s', exlink.publish_query('bench_refresh_src', 'employee', '{region,team}', '{outcome,x3}', 5, rollup => true)); CREATE UNIQUE INDEX ON bench_refresh_plain (cell); END IF; END $$;
-- setup: DO $$ BEGIN IF to_regclass('bench_refresh_pub') IS NULL THEN PERFORM exlink.publish('public.bench_refresh_pub', 'bench_refresh_src', 'employee', '{region,team}', '{outcome,x3}', rollup => true); END IF; END $$;
-- baseline:
REFRESH MATERIALIZED VIEW CONCURRENTLY bench_refresh_plain;
-- exlink:
SELECT exlink.refresh('bench_refresh_pub');
