-- title: exlink.publish of a period publication, all 25 months sealed at once (10 regions x 10 teams, roll-up: k, dominance, complementary suppression per month) vs a plain GROUP BY month, ROLLUP of the same cells (count, count distinct, avg)
-- target: <= 2.0
-- setup: CREATE TABLE IF NOT EXISTS bench_period_src AS SELECT (date '2023-01-01' + least((x10 * 25)::int, 24) * interval '1 month')::date AS month, (substr(employee, 4)::int / 10) % 10 AS region, substr(employee, 4)::int % 10 AS team, employee, outcome, x3 FROM bench_data;
-- baseline:
SELECT month, region, team, count(*), count(DISTINCT employee), avg(outcome), avg(x3) FROM bench_period_src GROUP BY month, ROLLUP (region, team);
-- exlink:
DO $$ BEGIN PERFORM exlink.publish('public.bench_period_hist', 'bench_period_src', 'employee', '{region,team}', '{outcome,x3}', rollup => true, force => true, period => 'month', period_length => '1 month'); RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo'; EXCEPTION WHEN raise_exception THEN NULL; END $$;
