-- Bootstrap intervals of the importance shares in drivers results tables (issue 18, item 5):
-- exlink.publish_results(..., bootstrap => draws [, seed]) gives each cell's relative-weight and
-- LMG shares their 95% cluster-bootstrap percentile intervals, computed with the cell from its
-- own rows by exlink.driver_weights with the table's draws and seed, so that they equal the
-- aggregate run directly with that seed, and a table published again (or a period sealed) draws
-- the same way.  They are inference: withheld where inference is withheld, and counted in the
-- withheld-inference bound (4 figures per driver).  Attacks as regress_analyst, with the
-- custodian's positive control (the custodian here: the superuser that runs the test, as in
-- results.sql).
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
CREATE SCHEMA bx;
-- equal up to rounding: a cell's members reach their per-member moments in another row order in
-- the publication's grouped query than in a direct aggregate (1e-15 apart; the draws, in member
-- hash order, are the same)
CREATE FUNCTION bx.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs(a - b) <= 1e-9 * greatest(abs(b), 1e-300) $$;
GRANT USAGE ON SCHEMA bx TO regress_analyst;
-- north: alpha 24 employees, beta 10; south: gamma 18, delta 12; 1 to 4 rows each, two months.
CREATE TABLE bx.src (region text, team text, employee text, at date, cx float8, ex float8, tenure float8);
INSERT INTO bx.src
SELECT r, t, t || '-' || e, date '2025-01-01' + 31 * ((e + j) % 2),
       round((3 + 0.5 * sin(e * 1.3) + 0.3 * ((e * 7 + j) % 5) - 0.2 * cos(j * e))::numeric, 3)::float8,
       round((3 + sin(e * 2.1) + 0.1 * (e % 3))::numeric, 3)::float8,
       (e % 7) + 0.5 * (e % 2)
  FROM (VALUES ('north', 'alpha', 24), ('north', 'beta', 10), ('south', 'gamma', 18), ('south', 'delta', 12)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 1 + (e % 4)) AS j;
SELECT exlink.publish('bx.cells', 'bx.src', 'employee', '{region,team}', '{cx,ex,tenure}', rollup => true,
                      grant_to => '{regress_analyst}');
SELECT exlink.publish_results('bx.drivers', 'bx.cells', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}', bootstrap => 199);
-- Misuse: draws for another statistic, a negative or too large number, NULL.
SELECT exlink.publish_results('bx.bad', 'bx.cells', 'cx', '{ex,tenure}', 'correlations', bootstrap => 199);
SELECT exlink.publish_results('bx.bad', 'bx.cells', 'cx', '{ex,tenure}', bootstrap => -1);
SELECT exlink.publish_results('bx.bad', 'bx.cells', 'cx', '{ex,tenure}', bootstrap => 100001);
SELECT exlink.publish_results('bx.bad', 'bx.cells', 'cx', '{ex,tenure}', bootstrap => NULL);
-- The registry: draws and the seed derived from the publication and the table.
SELECT object, statistic, bootstrap, bootstrap_seed = hashtextextended('bx.cells bx.drivers', 18) AS derived_seed
  FROM exlink.result_tables WHERE publication = 'bx.cells'::regclass;
SELECT bootstrap_seed AS seed FROM exlink.result_tables WHERE object = 'bx.drivers'::regclass \gset
-- The four new columns (after driver_rows' columns, before p_adjusted), each with a comment.
SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
  FROM pg_attribute a WHERE a.attrelid = 'bx.drivers'::regclass AND a.attnum > 0 AND a.attname ~ '(share|adjusted|detail)' ORDER BY a.attnum;

-- The custodian's aggregate over each cell's own rows with the same draws and seed.
CREATE TEMP TABLE bx_truth AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level, count(DISTINCT employee) AS members,
       exlink.driver_weights(cx, ARRAY[ex, tenure], employee, '{ex,tenure}', 'cluster', NULL, 199, :seed) AS m
  FROM bx.src GROUP BY ROLLUP (region, team);
-- Inference (and with it the intervals) is withheld below 14 members here: the cells publish 3
-- means and 6 co-moments, the drivers table 3 covariance entries and 8 interval ends (4 per
-- driver), and G members with 3 values must give 3G >= 2 (9 + 11).  Without the draws the bound
-- would be 8 (3G >= 2 (9 + 3)): beta (10) and delta (12) lose their inference because the
-- intervals are counted.
SELECT exlink.results_fourth_order(p.release_key) AS fourth_order_figures FROM exlink.publications p WHERE p.object = 'bx.cells'::regclass;
SELECT d.level, d.region, d.team, d.members, d.status,
       count(*) FILTER (WHERE d.lmg_share_low IS NOT NULL) AS drivers_with_intervals,
       bool_and(d.inference_shown = (d.relative_weight_share_low IS NOT NULL AND d.relative_weight_share_high IS NOT NULL
                                     AND d.lmg_share_low IS NOT NULL AND d.lmg_share_high IS NOT NULL)) AS shown_with_inference
  FROM bx.drivers d GROUP BY 1, 2, 3, 4, 5 ORDER BY d.level, d.region COLLATE "C", d.team COLLATE "C";
-- Every shown interval equals the direct aggregate's (1e-9 relative); low <= share <= high.
SELECT count(*) AS intervals_checked,
       bool_and(bx.close(d.relative_weight_share_low, x.relative_weight_share_low) AND bx.close(d.relative_weight_share_high, x.relative_weight_share_high)
                AND bx.close(d.lmg_share_low, x.lmg_share_low) AND bx.close(d.lmg_share_high, x.lmg_share_high)) AS equal_to_direct,
       bool_and(d.lmg_share BETWEEN d.lmg_share_low AND d.lmg_share_high
                AND d.relative_weight_share BETWEEN d.relative_weight_share_low AND d.relative_weight_share_high) AS around_share,
       bool_and(abs(d.lmg_share - (x.lmg_share)) < 1e-12 AND abs(d.beta_se - x.beta_se) < 1e-12) AS same_model
  FROM bx.drivers d
  JOIN (SELECT t.level, t.region, t.team, u.ordinality AS ordinal, u.*
          FROM bx_truth t, unnest((t.m).drivers) WITH ORDINALITY AS u) x
    ON x.level = d.level AND x.region IS NOT DISTINCT FROM d.region AND x.team IS NOT DISTINCT FROM d.team AND x.ordinal = d.ordinal
 WHERE d.lmg_share_low IS NOT NULL;

-- must fail: the analyst reads no interval of a cell whose inference is withheld (beta, 10
-- members; delta, 12), only the point figures
SET ROLE regress_analyst;
SELECT team, driver, lmg_share IS NOT NULL AS share_shown, lmg_share_low, lmg_share_high, relative_weight_share_low,
       relative_weight_share_high, status, status_detail
  FROM bx.drivers WHERE team IN ('beta', 'delta') ORDER BY team, ordinal;
-- ... while a cell with enough members shows them (alpha)
SELECT team, driver, lmg_share_low IS NOT NULL AS interval_shown, status FROM bx.drivers WHERE team = 'alpha' ORDER BY ordinal;
-- must fail: nothing behind the table (the registry's figures-free columns only)
SELECT published_by FROM exlink.result_tables;
RESET ROLE;
-- positive control: the custodian computes beta's and delta's intervals from the source
SELECT team, count(*) FILTER (WHERE u.lmg_share_low IS NOT NULL) AS drivers_with_intervals
  FROM bx_truth t, unnest((t.m).drivers) AS u WHERE t.team IN ('beta', 'delta') GROUP BY team ORDER BY team;

-- Published again under the same names: the same seed, the same intervals.
CREATE TEMP TABLE bx_first AS SELECT cell, ordinal, lmg_share_low, lmg_share_high, relative_weight_share_low, relative_weight_share_high FROM bx.drivers;
SELECT exlink.unpublish('bx.drivers');
SELECT exlink.publish_results('bx.drivers', 'bx.cells', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}', bootstrap => 199);
SELECT count(*) AS rows_, bool_and(f.lmg_share_low = d.lmg_share_low AND f.lmg_share_high = d.lmg_share_high
                                   AND f.relative_weight_share_low = d.relative_weight_share_low
                                   AND f.relative_weight_share_high = d.relative_weight_share_high) AS same_intervals
  FROM bx_first f JOIN bx.drivers d USING (cell, ordinal) WHERE f.lmg_share_low IS NOT NULL;
-- An explicit seed is used as given.
SELECT exlink.publish_results('bx.drivers7', 'bx.cells', 'cx', '{ex,tenure}', bootstrap => 99, seed => 7);
SELECT bootstrap, bootstrap_seed FROM exlink.result_tables WHERE object = 'bx.drivers7'::regclass;
SELECT count(*) AS intervals_checked, bool_and(bx.close(d.lmg_share_low, u.lmg_share_low) AND bx.close(d.lmg_share_high, u.lmg_share_high)
                                               AND bx.close(d.relative_weight_share_low, u.relative_weight_share_low)
                                               AND bx.close(d.relative_weight_share_high, u.relative_weight_share_high)) AS equal_to_direct
  FROM bx.drivers7 d,
       (SELECT exlink.driver_weights(cx, ARRAY[ex, tenure], employee, '{ex,tenure}', 'cluster', NULL, 99, 7) AS m FROM bx.src) t,
       unnest((t.m).drivers) WITH ORDINALITY AS u
 WHERE d.level = 0 AND u.ordinality = d.ordinal;

-- A period publication: the intervals of a sealed month are the direct aggregate's over that
-- month's rows (seal_periods computes them with the month's cells).  (A copy of the rows: a
-- second grain of bx.src would overlap bx.cells.)
CREATE TABLE bx.msrc AS SELECT * FROM bx.src;
SELECT exlink.publish('bx.monthly', 'bx.msrc', 'employee', '{region}', '{cx,ex,tenure}',
                      period => 'date_trunc(''month'', at::timestamp)::date', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('bx.monthly_drivers', 'bx.monthly', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}', bootstrap => 99);
SELECT bootstrap_seed AS mseed FROM exlink.result_tables WHERE object = 'bx.monthly_drivers'::regclass \gset
SELECT exlink.seal('bx.monthly', '2025-01-01');
SELECT d.period, d.region, d.members, d.status, count(*) AS drivers, count(d.lmg_share_low) AS with_intervals,
       bool_and(bx.close(d.lmg_share_low, u.lmg_share_low) AND bx.close(d.lmg_share_high, u.lmg_share_high)
                AND bx.close(d.relative_weight_share_low, u.relative_weight_share_low)
                AND bx.close(d.relative_weight_share_high, u.relative_weight_share_high)) AS equal_to_direct
  FROM bx.monthly_drivers d
  JOIN (SELECT region, exlink.driver_weights(cx, ARRAY[ex, tenure], employee, '{ex,tenure}', 'cluster', NULL, 99, :mseed) AS m
          FROM bx.msrc WHERE at < '2025-02-01' GROUP BY region) t ON t.region = d.region,
       unnest((t.m).drivers) WITH ORDINALITY AS u
 WHERE u.ordinality = d.ordinal
 GROUP BY 1, 2, 3, 4 ORDER BY 2;
SET client_min_messages = warning;
SELECT exlink.unpublish(o) FROM unnest(ARRAY['bx.drivers7', 'bx.drivers', 'bx.monthly_drivers']::regclass[]) AS o;
DROP SCHEMA bx CASCADE;
RESET client_min_messages;
