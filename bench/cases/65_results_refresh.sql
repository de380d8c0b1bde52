-- title: exlink.refresh of a publication with a drivers and a correlations results table (outcome on x1..x3, clustered by employee) vs exlink.refresh of the same publication without results
-- target: <= 2.0
-- setup: SET exlink.allow_unsafe_refresh = on;   -- the snapshot refresh (0.2.0 change ledger) is what this case measures; a superuser opt-in since 0.3.0
-- setup: CREATE TABLE IF NOT EXISTS bench_results_src AS SELECT (substr(employee, 4)::int / 10) % 10 AS region, substr(employee, 4)::int % 10 AS team, employee, outcome, x1, x2, x3 FROM bench_data;
-- setup: DO $$ BEGIN IF to_regclass('bench_results_plain') IS NULL THEN PERFORM exlink.publish('public.bench_results_plain', 'bench_results_src', 'employee', '{region,team}', '{outcome,x1,x2,x3}', rollup => true, force => true); END IF; END $$;
-- setup: DO $$ BEGIN IF to_regclass('bench_results_pub') IS NULL THEN PERFORM exlink.publish('public.bench_results_pub', 'bench_results_src', 'employee', '{region,team}', '{outcome,x1,x2,x3}', rollup => true, force => true); PERFORM exlink.publish_results('public.bench_results_drivers', 'public.bench_results_pub', 'outcome', '{x1,x2,x3}'); PERFORM exlink.publish_results('public.bench_results_pairs', 'public.bench_results_pub', 'outcome', '{x1,x2,x3}', 'correlations'); END IF; END $$;
-- baseline:
SELECT exlink.refresh('bench_results_plain');
-- exlink:
SELECT exlink.refresh('bench_results_pub');
