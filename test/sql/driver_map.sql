-- The key driver map as a results table (statistic 'driver_map'): per released cell and driver,
-- importance (LMG share), performance (the driver's mean), the quadrant by the cell's medians and
-- the gain per unit with its clustered interval; every figure checked against the custodian's
-- aggregate over the cell's own rows.  Guarded like the drivers table: released cells only
-- (must-fail attempts as regress_analyst, with the custodian's positive control), inference
-- withheld by the same rule, and the map's covariance counted by the release decision.  Published
-- by the superuser (the custodian's role here), read as regress_analyst.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- a snapshot refreshed with the change ledger (superuser opt-in)
CREATE SCHEMA kdm;
GRANT USAGE ON SCHEMA kdm TO regress_analyst;
-- north: alpha 30, beta 3 (suppressed; gamma 7 its complement); south: delta 9, eps 24.
CREATE TABLE kdm.src (region text, team text, employee text, cx float8, engagement float8, coaching float8, tools float8);
INSERT INTO kdm.src
SELECT r, t, t || '-' || e,
       round((2 + 0.5 * ((e * 3 + j * 5) % 7) + 0.2 * ((e * 5) % 3) + 0.3 * sin(e * j))::numeric, 3)::float8,
       (e * 3 + j * 5) % 7 + 1, (e * 5) % 3 + 2, round((3 + cos(e * 1.3))::numeric, 3)::float8
  FROM (VALUES ('north', 'alpha', 30), ('north', 'beta', 3), ('north', 'gamma', 7),
               ('south', 'delta', 9), ('south', 'eps', 24)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS j;
SELECT exlink.publish('kdm.cells', 'kdm.src', 'employee', '{region,team}', '{cx,engagement,coaching,tools}', rollup => true,
                      grant_to => '{regress_analyst}');
SELECT exlink.results_fourth_order(release_key) AS fourth_order_before FROM exlink.publications WHERE object = 'kdm.cells'::regclass;
SELECT exlink.publish_results('kdm.map', 'kdm.cells', 'cx', '{engagement,coaching,tools}', 'driver_map', grant_to => '{regress_analyst}');
SELECT exlink.results_fourth_order(release_key) AS fourth_order_with_map FROM exlink.publications WHERE object = 'kdm.cells'::regclass;
SELECT statistic, outcome, drivers FROM exlink.result_tables WHERE object = 'kdm.map'::regclass;

-- The columns a BI tool sees, each commented.
SELECT attname, format_type(atttypid, atttypmod), col_description(attrelid, attnum) IS NOT NULL AS commented
  FROM pg_attribute WHERE attrelid = 'kdm.map'::regclass AND attnum > 0 ORDER BY attnum;

-- Every figure against the custodian's aggregate over the cell's own rows.
CREATE TEMP TABLE truth AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level,
       exlink.driver_weights(cx, ARRAY[engagement, coaching, tools], employee, '{engagement,coaching,tools}') AS m
  FROM kdm.src GROUP BY ROLLUP (region, team);
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= 1e-9 * greatest(abs(b), 1e-12), a IS NULL AND b IS NULL) $$;
SELECT r.level, r.region, r.team, r.members, r.status,
       bool_and(pg_temp.close(r.importance, d.lmg_share)) AS importance_ok,
       bool_and(pg_temp.close(r.performance, (t.m).means[r.ordinal + 1])) AS performance_ok,
       bool_and(pg_temp.close(r.gain, g.estimate)) AS gain_ok,
       bool_and(CASE WHEN r.inference_shown THEN pg_temp.close(r.gain_low, g.ci_low) AND pg_temp.close(r.gain_high, g.ci_high)
                                                 AND pg_temp.close(r.p_value, g.p_value)
                     ELSE r.gain_low IS NULL AND r.gain_high IS NULL AND r.p_value IS NULL END) AS interval_ok,
       string_agg(r.driver || ': ' || r.quadrant, ', ' ORDER BY r.ordinal) AS quadrants
  FROM kdm.map r
  JOIN truth t ON t.level = r.level AND t.region IS NOT DISTINCT FROM r.region AND t.team IS NOT DISTINCT FROM r.team
  JOIN exlink.drivers(t.m) d ON d.ordinal = r.ordinal,
       LATERAL exlink.driver_contrast(t.m, ARRAY[r.driver], ARRAY[1]) g
 GROUP BY 1, 2, 3, 4, 5 ORDER BY r.level, r.region COLLATE "C", r.team COLLATE "C";
-- The quadrants follow the documented cut-offs (medians of the cell's drivers).
SELECT count(*) AS rows_checked,
       bool_and(quadrant = CASE WHEN importance >= importance_cut AND performance < performance_cut THEN 'fix first'
                                WHEN importance >= importance_cut THEN 'keep'
                                WHEN performance < performance_cut THEN 'monitor'
                                ELSE 'do not over-invest' END) AS quadrants_ok,
       bool_and(importance_cut = (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m2.importance) FROM kdm.map m2 WHERE m2.cell = m.cell)) AS cut_is_median
  FROM kdm.map m WHERE has_betas;

-- must fail: the suppressed team (beta, 3 members) and its complement (gamma) have no map rows
SET ROLE regress_analyst;
SELECT DISTINCT level, region, team, members FROM kdm.map ORDER BY 1, 2, 3;
SELECT count(*) AS beta_or_gamma_rows FROM kdm.map WHERE team IN ('beta', 'gamma');
-- must fail: the analyst cannot read the rows behind the map
SELECT count(*) FROM kdm.src;
RESET ROLE;
-- positive control: the custodian (here the superuser who published) sees beta and gamma
SELECT team, count(DISTINCT employee) AS members FROM kdm.src WHERE team IN ('beta', 'gamma') GROUP BY team ORDER BY team;

-- A cell whose inference is withheld shows estimates without intervals (delta: 9 members for
-- 3 drivers is below the fourth-order bound with the map's covariance counted).
SELECT team, status, bool_and(gain IS NOT NULL) AS gains, bool_and(gain_low IS NULL AND p_value IS NULL) AS no_intervals,
       bool_and(NOT inference_shown) AS not_shown
  FROM kdm.map WHERE status = 'withheld' GROUP BY team, status ORDER BY team;

-- Performance as the share favourable (favourable => 4: the share of the cell's rows with the
-- driver at 4 or more, e.g. top-2-box on a 1-5 scale), from the same cells: checked against the
-- share over each cell's own rows; the cut recorded; its q shares counted by the release
-- decision (fourth-order figures: the map's 6 + 6 + 3).
SELECT exlink.publish_results('kdm.map_share', 'kdm.cells', 'cx', '{engagement,coaching,tools}', 'driver_map',
                              '{regress_analyst}', favourable => 4);
SELECT statistic, favourable FROM exlink.result_tables WHERE object = 'kdm.map_share'::regclass;
SELECT col_description('kdm.map_share'::regclass, attnum) AS performance_comment
  FROM pg_attribute WHERE attrelid = 'kdm.map_share'::regclass AND attname = 'performance';
SELECT exlink.results_fourth_order(release_key) AS fourth_order_with_shares FROM exlink.publications WHERE object = 'kdm.cells'::regclass;
CREATE TEMP TABLE share_truth AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level,
       ARRAY[avg((engagement >= 4)::int), avg((coaching >= 4)::int), avg((tools >= 4)::int)]::float8[] AS shares
  FROM kdm.src GROUP BY ROLLUP (region, team);
SELECT r.level, r.region, r.team, r.status,
       -- (a cell whose inference is withheld has its shares withheld too: counted with it)
       bool_and(CASE WHEN r.status = 'withheld' THEN r.performance IS NULL AND r.quadrant IS NULL
                     WHEN r.has_betas THEN pg_temp.close(r.performance, t.shares[r.ordinal]) ELSE r.performance IS NULL END) AS share_ok,
       bool_and(pg_temp.close(r.importance, m.importance) AND pg_temp.close(r.gain, m.gain)) AS same_model,
       string_agg(r.driver || ': ' || round(r.performance::numeric, 3) || ' ' || r.quadrant, ', ' ORDER BY r.ordinal) AS shares
  FROM kdm.map_share r
  JOIN share_truth t ON t.level = r.level AND t.region IS NOT DISTINCT FROM r.region AND t.team IS NOT DISTINCT FROM r.team
  JOIN kdm.map m ON m.cell = r.cell AND m.ordinal = r.ordinal
 GROUP BY 1, 2, 3, 4 ORDER BY r.level, r.region COLLATE "C", r.team COLLATE "C";
SELECT count(*) AS rows_checked,
       bool_and(quadrant = CASE WHEN importance >= importance_cut AND performance < performance_cut THEN 'fix first'
                                WHEN importance >= importance_cut THEN 'keep'
                                WHEN performance < performance_cut THEN 'monitor'
                                ELSE 'do not over-invest' END) AS quadrants_ok,
       bool_and(performance_cut = (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m2.performance) FROM kdm.map_share m2 WHERE m2.cell = m.cell)) AS cut_is_median
  FROM kdm.map_share m WHERE has_betas;
-- must fail: the suppressed team and its complement have no share rows either
SET ROLE regress_analyst;
SELECT count(*) AS beta_or_gamma_rows FROM kdm.map_share WHERE team IN ('beta', 'gamma');
RESET ROLE;
-- positive control: the custodian's shares of beta and gamma exist
SELECT team, shares IS NOT NULL AS has_shares FROM share_truth WHERE team IN ('beta', 'gamma') ORDER BY team;
-- must fail: a cut with another statistic, a cut that is not a number (22023)
\set VERBOSITY sqlstate
SELECT exlink.publish_results('kdm.bad', 'kdm.cells', 'cx', '{engagement}', 'drivers', '{}', favourable => 4);
SELECT exlink.publish_results('kdm.bad', 'kdm.cells', 'cx', '{engagement}', 'driver_map', '{}', favourable => 'NaN');
\set VERBOSITY default

-- ... and of a period publication: the shares of each sealed period's cells, from its rows.
CREATE TABLE kdm.psrc (team text, employee text, at date, cx float8, engagement float8, coaching float8);
INSERT INTO kdm.psrc
SELECT t, t || '-' || e, make_date(2025, mo, 1 + j), round((2 + 0.4 * ((e * 3 + j * 5 + mo) % 7) + 0.3 * ((e * 5) % 3))::numeric, 3)::float8,
       (e * 3 + j * 5 + mo) % 5 + 1, (e * 5 + mo) % 4 + 2
  FROM (VALUES ('alpha', 20), ('delta', 24)) AS teams(t, size), generate_series(1, size) AS e,
       generate_series(1, 3) AS j, (VALUES (1)) AS m(mo);
SELECT exlink.publish('kdm.pcells', 'kdm.psrc', 'employee', '{team}', '{cx,engagement,coaching}', force => true,
                      grant_to => '{regress_analyst}', period => 'date_trunc(''month'', at::timestamp)::date',
                      period_length => '1 month');
SELECT exlink.publish_results('kdm.pmap_share', 'kdm.pcells', 'cx', '{engagement,coaching}', 'driver_map',
                              '{regress_analyst}', favourable => 4);
INSERT INTO kdm.psrc
SELECT t, t || '-' || e, make_date(2025, 2, 1 + j), round((2 + 0.4 * ((e * 3 + j * 5 + 2) % 7) + 0.3 * ((e * 5) % 3))::numeric, 3)::float8,
       (e * 3 + j * 5 + 2) % 5 + 1, (e * 5 + 2) % 4 + 2
  FROM (VALUES ('alpha', 20), ('delta', 24)) AS teams(t, size), generate_series(1, size) AS e, generate_series(1, 3) AS j;
SELECT count(*) > 0 AS sealed FROM exlink.refresh('kdm.pcells');
SELECT r.period, r.team, r.status,
       bool_and(pg_temp.close(r.performance, CASE r.ordinal WHEN 1 THEN t.e4 ELSE t.c4 END)) AS share_ok, count(*) AS drivers
  FROM kdm.pmap_share r
  JOIN (SELECT date_trunc('month', at::timestamp)::date AS period, team,
               avg((engagement >= 4)::int)::float8 AS e4, avg((coaching >= 4)::int)::float8 AS c4
          FROM kdm.psrc GROUP BY 1, 2) t ON t.period = r.period AND t.team = r.team
 GROUP BY 1, 2, 3 ORDER BY 1, 2;

SET client_min_messages = warning;
SELECT exlink.unpublish('kdm.pcells');
SELECT exlink.unpublish('kdm.cells');
DROP SCHEMA kdm CASCADE;
RESET client_min_messages;
DELETE FROM exlink.result_tables WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = object);
