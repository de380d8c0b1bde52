-- Results over windows of sealed periods (exlink.publish_window_results): per window and cell,
-- the key drivers and correlations of the cell's figures merged over the window's periods, with
-- the results tables' status codes.  Checked against the custodian's aggregates over the rows of
-- the window's periods; intervals only from cluster summaries; read by the analyst.
\set SHOW_CONTEXT never
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.sealed_periods TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish_window(text, regclass, text, name[]),
                          exlink.publish_window_results(text, regclass, name, name[], text, name[]) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA win;
GRANT USAGE ON SCHEMA win TO regress_analyst;
-- Two teams of 16 and 24 employees and one of 6 (hidden in March: 3 of them leave), three
-- rows each per month, January to March 2025.
CREATE TABLE win.src (team text, employee text, at date, cx float8, ex float8, tenure float8);
INSERT INTO win.src
SELECT t, t || '-' || e, make_date(2025, m, 1 + j * 9),
       3 + sin(e * 1.7 + m) + 0.3 * ((e * 7 + j) % 5), 3 + sin(e * 2.3) + 0.2 * j + 0.1 * m, (e % 9) + 0.5 * (j % 2)
  FROM (VALUES ('alpha', 16), ('beta', 24), ('gamma', 6)) AS teams(t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS m, generate_series(0, 2) AS j
 WHERE NOT (t = 'gamma' AND m = 3 AND e <= 3);
SELECT exlink.publish('win.monthly', 'win.src', 'employee', '{team}', '{cx,ex,tenure}', rollup => true,
                      grant_to => '{regress_analyst}', period => 'date_trunc(''month'', at::timestamp)::date',
                      period_length => '1 month');
SELECT exlink.publish_window('win.last2', 'win.monthly', 'last 2', grant_to => '{regress_analyst}');
SELECT exlink.publish_window_results('win.last2_drivers', 'win.last2', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}');
SELECT exlink.publish_window_results('win.last2_pairs', 'win.last2', 'cx', '{ex,tenure}', 'correlations', grant_to => '{regress_analyst}');
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'win.last2_drivers'::regclass AND attnum > 0 ORDER BY attnum;

-- The figures are those of the custodian's aggregates over the rows of the window's periods
-- (for cells released in every period of the window: a cell hidden in one is missing from the
-- merge, and periods says so).
CREATE TEMP TABLE truth AS
SELECT w.window_end, s.team, (CASE WHEN GROUPING(s.team) = 0 THEN 1 ELSE 0 END) AS level,
       exlink.driver_weights(s.cx, ARRAY[s.ex, s.tenure], s.employee, '{ex,tenure}') AS m,
       (exlink.linked_correlation(s.cx, s.ex, s.employee)).r AS r_ex
  FROM (SELECT DISTINCT window_start, window_end FROM win.last2) w
  JOIN win.src s ON date_trunc('month', s.at::timestamp)::date BETWEEN w.window_start AND w.window_end
 GROUP BY w.window_end, ROLLUP (s.team);
RESET ROLE;
SET ROLE regress_analyst;
SELECT window_start, window_end, team, level, periods, members_at_least, driver, round(beta::numeric, 4) AS beta,
       has_betas, inference_shown, status, status_detail
  FROM win.last2_drivers ORDER BY window_end, level, team, ordinal;
SELECT DISTINCT window_end, team, driver, status, has_r, inference_shown FROM win.last2_pairs
 WHERE driver = 'ex' ORDER BY window_end, team;
RESET ROLE;
SET ROLE regress_custodian;
SELECT count(*) AS rows_checked, max(abs(d.beta - x.beta)) < 1e-10 AS betas_equal_rows,
       max(abs(d.lmg_share - x.lmg_share)) < 1e-8 AS shares_equal_rows,
       -- max() skips NULLs: rows with betas must have them on both sides
       count(*) FILTER (WHERE x.beta IS NULL OR d.beta IS NULL OR (d.lmg_share IS NULL) <> (x.lmg_share IS NULL)) AS null_mismatches
  FROM win.last2_drivers d
  JOIN truth t ON t.window_end = d.window_end AND t.level = d.level AND t.team IS NOT DISTINCT FROM d.team
  CROSS JOIN LATERAL exlink.drivers(t.m) x
 WHERE x.ordinal = d.ordinal AND d.has_betas AND d.periods = (SELECT count(DISTINCT p.period) FROM win.monthly p
                                                              WHERE p.period BETWEEN d.window_start AND d.window_end);
SELECT count(*) AS pairs_checked, max(abs(p.r - t.r_ex)) < 1e-10 AS r_equal_rows,
       count(*) FILTER (WHERE (p.r IS NULL) <> (t.r_ex IS NULL)) AS null_mismatches
  FROM win.last2_pairs p
  JOIN truth t ON t.window_end = p.window_end AND t.level = p.level AND t.team IS NOT DISTINCT FROM p.team
 WHERE p.driver = 'ex' AND p.periods = (SELECT count(DISTINCT m.period) FROM win.monthly m
                                         WHERE m.period BETWEEN p.window_start AND p.window_end);
-- p_adjusted: Benjamini-Hochberg per window (the family: the view's rows with one window_start
-- and window_end; exlink.with_p_adjusted, checked against R in results.sql).  These windows
-- merge cells without cluster summaries, so no row has a p-value, and none an adjusted one.
SELECT count(p_value) AS p_values, count(p_adjusted) AS adjusted FROM win.last2_pairs;
-- ... and gamma's window over February and March lacks March (hidden): periods = 1.
SELECT DISTINCT window_end, team, periods FROM win.last2_drivers WHERE team = 'gamma' ORDER BY 1;
-- The view reads only the publication: guarded; every column commented.
SELECT * FROM exlink.audit_view('win.last2_drivers');
SELECT count(*) AS columns, count(col_description('win.last2_drivers'::regclass, attnum)) AS commented
  FROM pg_attribute WHERE attrelid = 'win.last2_drivers'::regclass AND attnum > 0;

\set VERBOSITY sqlstate
-- must fail: not a window view (22023), a measure the publication does not have (22023), a
-- grantee who cannot read the window view (42501)
SELECT exlink.publish_window_results('win.bad', 'win.monthly', 'cx', '{ex}');
SELECT exlink.publish_window_results('win.bad', 'win.last2', 'cx', '{age}');
SELECT exlink.publish_window_results('win.bad', 'win.last2', 'cx', '{ex}', grant_to => '{regress_hr_owner}');
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: the analyst cannot publish window results (42501)
SELECT exlink.publish_window_results('win.mine', 'win.last2', 'cx', '{ex}');
\set VERBOSITY default
RESET ROLE;

-- With cluster summaries (a superuser's opt-in, docs/security.md) the windows' intervals are
-- clustered by employee and shown.
SET exlink.cluster_summary = on;
SET ROLE regress_custodian;
SELECT exlink.publish('win.summarised', 'win.src', 'employee', '{team}', '{cx,ex,tenure}', force => true,
                      grant_to => '{regress_analyst}', period => 'date_trunc(''month'', at::timestamp)::date',
                      period_length => '1 month');
SELECT exlink.publish_window('win.all3', 'win.summarised', 'last 3', grant_to => '{regress_analyst}');
SELECT exlink.publish_window_results('win.all3_drivers', 'win.all3', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}');
-- The key driver map over windows (statistic driver_map): the map's columns from the merged model.
SELECT exlink.publish_window_results('win.all3_map', 'win.all3', 'cx', '{ex,tenure}', 'driver_map', grant_to => '{regress_analyst}');
RESET ROLE;
RESET exlink.cluster_summary;
SET ROLE regress_analyst;
SELECT window_end, team, members_at_least, driver, inference, status, inference_shown
  FROM win.all3_drivers WHERE window_end = '2025-03-01' ORDER BY team, ordinal;
SELECT window_end, team, periods, driver, round(importance::numeric, 4) AS importance, round(performance::numeric, 4) AS performance,
       quadrant, round(gain::numeric, 4) AS gain, gain_low IS NOT NULL AS has_interval, inference_shown, status
  FROM win.all3_map WHERE window_end = '2025-03-01' ORDER BY level, team, ordinal;
RESET ROLE;
-- ... exact from the merged sealed periods: importance, performance (the mean) and gain equal the
-- custodian's model over the rows of the window's three periods (cells released in all three),
-- the quadrants follow the cut-offs (the medians over the cell's drivers).
SET ROLE regress_custodian;
CREATE TEMP TABLE truth3 AS
SELECT s.team, (CASE WHEN GROUPING(s.team) = 0 THEN 1 ELSE 0 END) AS level,
       exlink.driver_weights(s.cx, ARRAY[s.ex, s.tenure], s.employee, '{ex,tenure}') AS m
  FROM win.src s GROUP BY ROLLUP (s.team);
SELECT count(*) AS rows_checked,
       bool_and(abs(w.importance - d.lmg_share) < 1e-8 AND abs(w.performance - (t.m).means[w.ordinal + 1]) < 1e-10
                AND abs(w.gain - g.estimate) < 1e-10) AS map_equals_rows,
       bool_and(w.quadrant = CASE WHEN w.importance >= w.importance_cut AND w.performance < w.performance_cut THEN 'fix first'
                                  WHEN w.importance >= w.importance_cut THEN 'keep'
                                  WHEN w.performance < w.performance_cut THEN 'monitor'
                                  ELSE 'do not over-invest' END) AS quadrants_ok
  FROM win.all3_map w
  JOIN truth3 t ON t.level = w.level AND t.team IS NOT DISTINCT FROM w.team
  JOIN exlink.drivers(t.m) d ON d.ordinal = w.ordinal,
       LATERAL exlink.driver_contrast(t.m, ARRAY[w.driver], ARRAY[1]) g
 WHERE w.window_end = '2025-03-01' AND w.periods = 3 AND w.has_betas;
RESET ROLE;

SET ROLE regress_custodian;
DROP VIEW win.all3_drivers, win.all3_map, win.last2_drivers, win.last2_pairs;
DROP VIEW win.all3, win.last2;
SELECT exlink.unpublish('win.monthly'), exlink.unpublish('win.summarised');
DROP SCHEMA win CASCADE;
RESET ROLE;
REVOKE ALL ON exlink.sealed_periods FROM regress_custodian;
REVOKE EXECUTE ON FUNCTION exlink.publish_window(text, regclass, text, name[]),
                           exlink.publish_window_results(text, regclass, name, name[], text, name[]) FROM regress_custodian;
