-- Rule: compositions of the 0.3.0 figures with the old ones release nothing about fewer than k
-- members.  Results tables clustered by a dimension (cluster => 'team'): a roll-up row's
-- clustered variance is a sum over its teams, hidden ones included, so its inference is released
-- only with at least k clusters and the fourth-order bound counted in clusters (the release
-- decision's clusters fact, exlink.withhold_clustered).  Attempts that hold are kept below:
-- favourable shares against siblings, the new functions as the analyst, bad arguments (22023).
-- Each attack is run as regress_analyst, with the custodian's positive control.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.result_tables TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA comp;
GRANT USAGE ON SCHEMA comp TO regress_analyst;
-- east: two hidden teams x, y of 3 employees (the region, 6, is released: two suppressed
-- children covering k); west: w1, w2 of 8.  Twin source: the same rows, one employee of x
-- labelled y (x 2, y 4): the same released cells.
CREATE TABLE comp.src (region text, team text, employee text, cx float8, ex float8);
INSERT INTO comp.src
SELECT r, t, r || '-' || e, round((3 + sin(e * 1.7) + 0.3 * j + CASE WHEN e <= 3 THEN 1.5 ELSE 0 END)::numeric, 3), round((3 + cos(e * 2.1) + 0.2 * j)::numeric, 3)
  FROM (VALUES ('east', 6), ('west', 16)) AS g(r, n), generate_series(1, n) AS e, generate_series(1, 2) AS j,
       LATERAL (SELECT CASE WHEN r = 'east' THEN CASE WHEN e <= 3 THEN 'x' ELSE 'y' END ELSE CASE WHEN e <= 8 THEN 'w1' ELSE 'w2' END END AS t) tt;
CREATE TABLE comp.twin AS SELECT region, CASE WHEN employee = 'east-3' THEN 'y' ELSE team END AS team, employee, cx, ex FROM comp.src;
SELECT exlink.publish('comp.cells', 'comp.src', 'employee', '{region,team}', '{cx,ex}', rollup => true, grant_to => '{regress_analyst}');
SELECT exlink.publish('comp.twin_cells', 'comp.twin', 'employee', '{region,team}', '{cx,ex}', rollup => true, grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.drivers', 'comp.cells', 'cx', '{ex}', cluster => 'team', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.twin_drivers', 'comp.twin_cells', 'cx', '{ex}', cluster => 'team', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.pairs', 'comp.cells', 'cx', '{ex}', 'correlations', cluster => 'team', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.twin_pairs', 'comp.twin_cells', 'cx', '{ex}', 'correlations', cluster => 'team', grant_to => '{regress_analyst}');
RESET ROLE;
-- must fail: the split of hidden teams reaches a team-clustered row's inference.  The analyst
-- sees the same released cells in both publications (east alone, its teams hidden) and, before
-- the fix, other standard errors and df in the total row (4 clusters: 0.306488 against 0.308465,
-- df 2.37 against 2.14): one hidden employee's team.  Now withheld (fewer than k clusters).
SET ROLE regress_analyst;
SELECT level, region, team, members, responses FROM comp.cells ORDER BY level, region, team;
SELECT count(*) AS differing_cells FROM comp.cells a FULL JOIN comp.twin_cells b USING (level, cell)
 WHERE a.members IS DISTINCT FROM b.members OR a.responses IS DISTINCT FROM b.responses
    OR NOT abs(a.mean_cx - b.mean_cx) < 1e-12 OR NOT abs(a.mean_ex - b.mean_ex) < 1e-12;
SELECT a.level, a.region, a.members, round(a.beta::numeric, 9) AS beta, round(b.beta::numeric, 9) AS twin_beta, a.beta_se, b.beta_se AS twin_se, a.df, b.df AS twin_df, a.clusters, a.inference, a.status
  FROM comp.drivers a JOIN comp.twin_drivers b USING (level, cell, ordinal) WHERE a.level < 2 ORDER BY level, region;
SELECT a.level, a.region, round(a.r::numeric, 9) AS r, round(b.r::numeric, 9) AS twin_r, a.ci_low, b.ci_low, a.ci_high, b.ci_high, a.clusters, a.inference
  FROM comp.pairs a JOIN comp.twin_pairs b USING (level, cell, ordinal) WHERE a.level < 2 ORDER BY level, region;
RESET ROLE;
-- Positive control: the custodian reads the two splits of east's six employees in the sources.
SELECT 'src' AS source, team, count(DISTINCT employee) AS employees FROM comp.src WHERE region = 'east' GROUP BY team
UNION ALL
SELECT 'twin', team, count(DISTINCT employee) FROM comp.twin WHERE region = 'east' GROUP BY team ORDER BY 1, 2;
-- and the team-clustered aggregate over the total's rows, called directly, differs between them
SELECT round(((exlink.drivers(s.m)).beta_se)::numeric, 6) AS src_se, round(((exlink.drivers(t.m)).beta_se)::numeric, 6) AS twin_se
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex], employee, '{ex}', 'cluster', NULL, team) AS m FROM comp.src) s,
       (SELECT exlink.driver_weights(cx, ARRAY[ex], employee, '{ex}', 'cluster', NULL, team) AS m FROM comp.twin) t;

-- Enough teams: ten teams of six employees, the total row clustered by team (10 clusters: at
-- least k, and the bound 2 (v + v(v + 1)/2 + F) / v = 9 with v = 2 measures and F = 4 figures
-- of the two tables, a standard error and a df each) shows its inference, equal to the
-- aggregate the custodian calls directly.
SET ROLE regress_custodian;
CREATE TABLE comp.wide (region text, team text, employee text, cx float8, ex float8);
INSERT INTO comp.wide
SELECT CASE WHEN t <= 5 THEN 'n' ELSE 's' END, 't' || t, t || '-' || e,
       round((3 + sin(e * 1.7 + t) + 0.3 * j + 0.2 * t)::numeric, 3), round((3 + cos(e * 2.1 + t) + 0.2 * j)::numeric, 3)
  FROM generate_series(1, 10) AS t, generate_series(1, 6) AS e, generate_series(1, 2) AS j;
SELECT exlink.publish('comp.wide_cells', 'comp.wide', 'employee', '{region,team}', '{cx,ex}', rollup => true, grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.wide_drivers', 'comp.wide_cells', 'cx', '{ex}', cluster => 'team', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.wide_pairs', 'comp.wide_cells', 'cx', '{ex}', 'correlations', cluster => 'team', grant_to => '{regress_analyst}');
RESET ROLE;
SET ROLE regress_analyst;
SELECT d.level, d.region, d.clusters, d.beta_se IS NOT NULL AS se_shown, p.ci_low IS NOT NULL AS ci_shown
  FROM comp.wide_drivers d JOIN comp.wide_pairs p USING (level, cell, ordinal) WHERE d.level < 2 ORDER BY d.level, d.region;
RESET ROLE;
SELECT abs(d.beta_se - (exlink.drivers(x.m)).beta_se) < 1e-12 AS total_se_equals_direct
  FROM comp.wide_drivers d,
       (SELECT exlink.driver_weights(cx, ARRAY[ex], employee, '{ex}', 'cluster', NULL, team) AS m FROM comp.wide) x
 WHERE d.level = 0;

-- must fail: a later results table raises the count past the total row's 10 clusters (a map with
-- a cut on ex: F = 4 + 3 = 7, bound 12); the inference the row showed under the two tables alone
-- is withheld at that refresh (the kept results follow the decision made now), in both tables.
SET ROLE regress_custodian;
SELECT exlink.publish_results('comp.wide_map', 'comp.wide_cells', 'cx', '{ex}', 'driver_map', favourable => 3, cluster => 'team',
                              grant_to => '{regress_analyst}');
RESET ROLE;
SET ROLE regress_analyst;
SELECT d.level, d.clusters, d.beta_se IS NOT NULL AS se_shown, d.df IS NOT NULL AS df_shown, p.ci_low IS NOT NULL AS ci_shown,
       d.status, p.status AS pairs_status, d.status_detail
  FROM comp.wide_drivers d JOIN comp.wide_pairs p USING (level, cell, ordinal) WHERE d.level = 0;
RESET ROLE;
-- Positive control: the custodian's direct aggregate over the total's rows still has them.
SELECT (exlink.drivers(x.m)).beta_se IS NOT NULL AS custodian_se, (x.m).clusters AS clusters
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex], employee, '{ex}', 'cluster', NULL, team) AS m FROM comp.wide) x;

-- The release decision's clusters fact: at least k clusters and the bound counted in clusters;
-- refused without fourth-order figures, negative clusters refused; no share needed.
SELECT exlink.release_status(40, 5, NULL, NULL, NULL, NULL, NULL, NULL, 2, 2, 4) AS four_clusters,
       exlink.release_status(40, 5, NULL, NULL, NULL, NULL, NULL, NULL, 2, 2, 6) AS six_clusters,
       exlink.release_status(40, 5, NULL, NULL, NULL, NULL, NULL, NULL, 2, 2, 7) AS seven_clusters,
       exlink.release_status(40, 5, NULL, NULL, NULL, NULL, NULL, NULL, 2, 2, NULL) AS by_member_share_unknown;
SELECT exlink.release_status(40, 5, 80, 2, NULL, NULL, NULL, NULL, 2, 0, 7);
SELECT exlink.release_status(40, 5, 80, 2, NULL, NULL, NULL, NULL, 2, 2, -1);

-- Attempts that hold (kept so that they stay held).
-- Favourable shares are counts (share x responses): a parent's minus its shown children's is
-- the union of its hidden children, never fewer than k members (east: both teams hidden, the
-- region alone is shown; its count of favourable rows is a figure of its 6 members).
SET ROLE regress_custodian;
SELECT exlink.publish_results('comp.map', 'comp.cells', 'cx', '{ex}', 'driver_map', favourable => 3.5, grant_to => '{regress_analyst}');
RESET ROLE;
SET ROLE regress_analyst;
SELECT p.level, p.region, p.members - coalesce(sum(c.members), 0) AS residual_members,
       p.members - coalesce(sum(c.members), 0) = 0 OR p.members - coalesce(sum(c.members), 0) >= 5 AS residual_ok
  FROM comp.cells p LEFT JOIN comp.cells c ON c.level = p.level + 1 AND (p.level = 0 OR c.region = p.region)
 WHERE p.level < 2 GROUP BY p.level, p.region, p.members ORDER BY p.level, p.region;
SELECT count(*) AS map_rows_of_hidden_teams FROM comp.map WHERE team IN ('x', 'y');
-- A snapshot is a table now, refilled by exlink.show_released at each refresh (under the unsafe
-- opt-in): its counters, size and information_schema entry follow the shown cells only.  A new
-- hidden team of 3 (the custodian's control counts it) adds nothing but the refill of the 3
-- shown cells.
RESET ROLE;
SET ROLE regress_custodian;
CREATE TABLE comp.flat (team text, employee text, cx float8);
INSERT INTO comp.flat SELECT 't' || t, t || '-' || e, (e * 7) % 5 FROM generate_series(1, 3) t, generate_series(1, 8) e;
SELECT exlink.publish('comp.flat_cells', 'comp.flat', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}');
SELECT pg_stat_force_next_flush();
SET ROLE regress_analyst;
SELECT pg_stat_clear_snapshot();
CREATE TEMP TABLE before_ctr AS
SELECT s.n_tup_ins, s.n_tup_del, c.relpages, pg_relation_size(c.oid) AS bytes
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'comp.flat_cells'::regclass;
SET ROLE regress_custodian;
INSERT INTO comp.flat SELECT 'small', 's-' || e, 1 FROM generate_series(1, 3) e;
SELECT count(DISTINCT employee) AS custodian_sees_small FROM comp.flat WHERE team = 'small';
SELECT * FROM exlink.refresh('comp.flat_cells');
SELECT pg_stat_force_next_flush();
-- must fail: the hidden team in the snapshot's counters, size or information_schema
SET ROLE regress_analyst;
SELECT pg_stat_clear_snapshot();
SELECT s.n_tup_ins - b.n_tup_ins AS inserted, s.n_tup_del - b.n_tup_del AS deleted,
       (SELECT count(*) FROM comp.flat_cells) AS shown, c.relpages = b.relpages AND pg_relation_size(c.oid) = b.bytes AS same_size
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid, before_ctr b WHERE s.relid = 'comp.flat_cells'::regclass;
SELECT count(*) AS small_rows FROM comp.flat_cells WHERE team = 'small';
SELECT table_name FROM information_schema.tables WHERE table_schema = 'comp' AND table_name LIKE 'flat%' ORDER BY 1;
DROP TABLE before_ctr;
-- The new functions as the analyst: show_released reads the custodian's registry (refused),
-- cell_count and withhold_clustered compute over their arguments only.
\set VERBOSITY sqlstate
SELECT exlink.show_released('comp.cells');
SELECT exlink.show_released('comp.drivers');
\set VERBOSITY default
SELECT exlink.cell_count(3), exlink.withhold_clustered(NULL, 5, 2, 2);
RESET ROLE;
-- Bad arguments to the new options: 22023, no crash (as the custodian).
SET ROLE regress_custodian;
\set VERBOSITY sqlstate
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', 'driver_map', favourable => 'NaN');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', 'driver_map', favourable => 'Infinity');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', 'driver_map', favourable => '-Infinity');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', cluster => 'employee');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', cluster => 'nope');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', bootstrap => -1);
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', bootstrap => 100001);
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', bootstrap => NULL);
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', bootstrap => 9, cluster => 'team');
SELECT exlink.publish_results('comp.bad', 'comp.cells', 'cx', '{ex}', 'correlations', bootstrap => 9);
\set VERBOSITY default
-- A map's cut is applied with every digit whatever the custodian's extra_float_digits: of 16
-- employees, the 8 at exactly the cut and one above it are favourable (9/16 = 0.5625; it was
-- 1/16 when the cut was written rounded to 3.5).
SET extra_float_digits = 0;
CREATE TABLE comp.cut (team text, employee text, cx float8, ex float8);
INSERT INTO comp.cut SELECT 'a', 'a-' || e, e % 3 + sin(e), CASE WHEN e % 2 = 1 THEN 3.4999999999999996 ELSE 2 + e / 10.0 END FROM generate_series(1, 16) e;
SELECT exlink.publish('comp.cut_cells', 'comp.cut', 'employee', '{team}', '{cx,ex}');
SELECT exlink.publish_results('comp.cut_map', 'comp.cut_cells', 'cx', '{ex}', 'driver_map', favourable => 3.4999999999999996);
SELECT team, members, performance FROM comp.cut_map;
RESET extra_float_digits;
-- Rule: a map's shares favourable are counted in the withheld-inference bound AND withheld with
-- the inference.  Red team 0.3.0: they were counted but stayed shown, so several maps with other
-- cuts on one cell gave the distribution of its drivers (a count of rows below a cut can be one
-- member's).  Two maps (cuts 3 and 4, one driver each: F = 2 x (1 + 1 + 1) = 6 with the
-- covariance and df, v = 2: G >= 11) on a team of 7 and a team of 20, one row per employee.
SET ROLE regress_custodian;
CREATE TABLE comp.dist (team text, employee text, cx float8, ex float8);
INSERT INTO comp.dist SELECT t, t || '-' || e, round((3 + sin(e * 1.3))::numeric, 3), 1 + (e * 3) % 5
  FROM (VALUES ('small', 7), ('big', 20)) AS g(t, n), generate_series(1, n) AS e;
SELECT exlink.publish('comp.dist_cells', 'comp.dist', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.dist_map3', 'comp.dist_cells', 'cx', '{ex}', 'driver_map', favourable => 3, grant_to => '{regress_analyst}');
SELECT exlink.publish_results('comp.dist_map4', 'comp.dist_cells', 'cx', '{ex}', 'driver_map', favourable => 4, grant_to => '{regress_analyst}');
SELECT exlink.results_fourth_order(release_key) AS counted_figures FROM exlink.publications WHERE object = 'comp.dist_cells'::regclass;
RESET ROLE;
-- must fail: the small team's shares at two cuts (its drivers' distribution); the betas stay.
-- The big team's shares are shown, equal to the custodian's count over its rows.
SET ROLE regress_analyst;
SELECT a.team, a.members, a.importance IS NOT NULL AS importance_shown, a.performance AS share_at_3, b.performance AS share_at_4,
       a.status, a.status_detail
  FROM comp.dist_map3 a JOIN comp.dist_map4 b USING (team) ORDER BY a.team COLLATE "C";
RESET ROLE;
-- Positive control: the custodian sees the small team's shares at both cuts in the source, and
-- the big team's equal the map's.
SELECT d.team, avg((d.ex >= 3)::int::float8) AS share_at_3, avg((d.ex >= 4)::int::float8) AS share_at_4,
       bool_and(m.performance IS NULL) AS map_withheld,
       coalesce(abs(avg((d.ex >= 3)::int::float8) - min(m.performance)) < 1e-12, false) AS map_equals
  FROM comp.dist d LEFT JOIN comp.dist_map3 m USING (team) GROUP BY d.team ORDER BY d.team COLLATE "C";
-- seed NULL with draws: a derived seed (made, then dropped)
SELECT exlink.publish_results('comp.seeded', 'comp.cells', 'cx', '{ex}', bootstrap => 19, seed => NULL)::text AS made;
SELECT bootstrap, bootstrap_seed IS NOT NULL AS seeded FROM exlink.result_tables WHERE object = 'comp.seeded'::regclass;

SELECT exlink.unpublish(p) FROM unnest(ARRAY['comp.cells', 'comp.twin_cells', 'comp.wide_cells', 'comp.flat_cells', 'comp.cut_cells', 'comp.dist_cells']::regclass[]) AS p;
SELECT count(*) AS results_tables_left FROM exlink.result_tables;
DROP SCHEMA comp CASCADE;
RESET ROLE;
RESET exlink.allow_unsafe_refresh;
REVOKE ALL ON exlink.result_tables FROM regress_custodian;
REVOKE EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) FROM regress_custodian;

-- Fail closed: results whose inference is shown but whose number of clusters is not known (an
-- independent correlation here) are withheld by exlink.withhold_clustered, not passed through.
SELECT w.t IS NULL AS t_withheld, w.df IS NULL AS df_withheld, w.ci_low IS NULL AS ci_withheld, w.r IS NOT NULL AS r_kept, w.inference
  FROM (SELECT exlink.linked_correlation(g::float8, (g % 7)::float8, 'm' || (g % 10), 0.95, 'independent') AS c
          FROM generate_series(1, 50) g) f,
       unnest(exlink.withhold_clustered(ARRAY[f.c]::text, 5, 2, 1)::exlink.correlation[]) w;
-- control: the same correlation as computed shows its inference
SELECT (c).t IS NOT NULL AS t_shown, (c).clusters
  FROM (SELECT exlink.linked_correlation(g::float8, (g % 7)::float8, 'm' || (g % 10), 0.95, 'independent') AS c
          FROM generate_series(1, 50) g) f;
