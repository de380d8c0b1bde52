-- Rule: a results table shows the results of released cells only, released, held back and
-- hidden with the cell's figures (exlink.publish_results); its inference is withheld unless the
-- cell's members outnumber, twice over, what all its results tables and its moments publish
-- (the release decision's fourth-order rule); the analyst reads it and nothing behind it.  Each
-- attack is run as regress_analyst, with the custodian's positive control.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.result_tables TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA resx;
GRANT USAGE ON SCHEMA resx TO regress_analyst;
-- north: alpha 12, beta 3 (suppressed; gamma 7 is its complement); south: delta 9, eps 14.
CREATE TABLE resx.src (region text, team text, employee text, cx float8, ex float8, tenure float8);
INSERT INTO resx.src
SELECT r, t, t || '-' || e, (e * 7 + j) % 10, (e * 3 + j * 5) % 7 + 1, e % 5 + j
  FROM (VALUES ('north', 'alpha', 12), ('north', 'beta', 3), ('north', 'gamma', 7),
               ('south', 'delta', 9), ('south', 'eps', 14)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS j;
SELECT exlink.publish('resx.cells', 'resx.src', 'employee', '{region,team}', '{cx,ex,tenure}', rollup => true,
                      grant_to => '{regress_analyst}');
SELECT exlink.publish_results('resx.drivers', 'resx.cells', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('resx.pairs', 'resx.cells', 'cx', '{ex,tenure}', 'correlations', grant_to => '{regress_analyst}');
RESET ROLE;

-- must fail: the suppressed team (beta, 3 members) and its complement (gamma) have no results
SET ROLE regress_analyst;
SELECT DISTINCT region, team, level, members FROM resx.drivers ORDER BY level, region, team;
SELECT count(*) AS beta_or_gamma_rows FROM resx.drivers WHERE team IN ('beta', 'gamma');
SELECT count(*) AS beta_or_gamma_rows FROM resx.pairs WHERE team IN ('beta', 'gamma');
-- must fail: the results tables hold no cell the publication does not show
SELECT count(*) AS rows_outside_publication FROM resx.drivers d WHERE NOT EXISTS (SELECT FROM resx.cells c WHERE c.cell = d.cell);
-- A region is a WHERE: the region rows (level 1) are the exact figures over the region, as the
-- analyst checks from the region cell's own moments (organisation alike); a merge of the shown
-- team cells misses the suppressed teams (north: beta, gamma), which is why a dashboard must
-- not average or merge per-team figures.
SELECT r.level, r.region, max(abs(r.beta - x.beta)) < 1e-12 AND count(*) FILTER (WHERE r.beta IS NULL OR x.beta IS NULL) = 0 AS equals_own_cell,
       max(abs(r.beta - y.beta)) < 1e-12 AS equals_merged_shown_teams
  FROM resx.drivers r
  JOIN resx.cells c ON c.cell = r.cell
 CROSS JOIN LATERAL exlink.drivers(exlink.driver_weights(c.moments, ARRAY['ex', 'tenure'])) x
  LEFT JOIN (SELECT t.region, d.ordinal, d.beta
               FROM (SELECT region, exlink.driver_weights(exlink.merge(moments), ARRAY['ex', 'tenure']) AS m
                       FROM resx.cells WHERE level = 2 GROUP BY region) t, exlink.drivers(t.m) d) y
         ON y.region = r.region AND y.ordinal = r.ordinal
 WHERE r.level <= 1 AND x.ordinal = r.ordinal
 GROUP BY r.level, r.region ORDER BY 1, 2;
-- must fail: what is behind the results tables is the custodian's
SELECT count(*) FROM exlink.released_cells;
-- (the registry names the results tables, as the schema does; who published and to whom stay hidden)
SELECT object, statistic, outcome, drivers FROM exlink.result_tables ORDER BY object::text COLLATE "C";
SELECT grantees FROM exlink.result_tables;
SELECT published_by FROM exlink.result_tables;
SELECT count(*) FROM resx.src;
-- must fail: the analyst cannot publish, refresh or unpublish results
SELECT exlink.publish_results('resx.mine', 'resx.cells', 'cx', '{ex}');
REFRESH MATERIALIZED VIEW resx.drivers;
SELECT exlink.unpublish('resx.drivers');
-- must fail: the SQL builders, executable by anyone, read the custodian's registry
SELECT exlink.results_query('k', 'resx.cells', 'drivers', 'cx', '{ex}');
SELECT exlink.results_select('k', '{cx,ex}');
-- must fail: inference is withheld below 10 members: the cells publish 3 measures' means and
-- co-moments (9 numbers) and the two results tables 5 fourth-order figures (the drivers'
-- covariance, 3; the pairs' standard errors, 2), so G members with 3 values each must give
-- 3G >= 2 (9 + 5): delta (9) is withheld, alpha (12) shown.  With one table each publication
-- needs 2(q + 2) for q drivers, as in 0.2.0 (the positive control below: 8).
SELECT DISTINCT team, members, beta_se IS NOT NULL AS se_shown, p_value IS NOT NULL AS p_shown FROM resx.drivers WHERE level = 2 ORDER BY team;
RESET ROLE;

-- Positive control: the custodian fits beta's model from the source (what the analyst was
-- refused): real figures.
SET ROLE regress_custodian;
SELECT (x).status, (x).members IS NULL AS unguarded, ((x).drivers[1]).beta IS NOT NULL AS custodian_sees_beta
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex, tenure]) AS x FROM resx.src WHERE team = 'beta') s;
RESET ROLE;

-- must fail: one new hire in alpha; after the refresh the analyst's results of alpha, north and
-- the total are exactly what they were (held back with the cells), so no difference shows the
-- new hire's effect.
SET ROLE regress_analyst;
CREATE TEMP TABLE before_res AS SELECT cell, ordinal, beta, beta_se, p_value, lmg_share, members FROM resx.drivers;
CREATE TEMP TABLE before_pairs AS SELECT cell, ordinal, r, p_value FROM resx.pairs;
RESET ROLE;
SET ROLE regress_custodian;
INSERT INTO resx.src SELECT 'north', 'alpha', 'alpha-new', 9, 1, 9 FROM generate_series(1, 5);
SELECT * FROM exlink.refresh('resx.cells');
RESET ROLE;
SET ROLE regress_analyst;
SELECT count(*) AS driver_rows_changed FROM resx.drivers d JOIN before_res b USING (cell, ordinal)
 WHERE (d.beta, d.beta_se, d.p_value, d.lmg_share, d.members) IS DISTINCT FROM (b.beta, b.beta_se, b.p_value, b.lmg_share, b.members);
SELECT count(*) AS pair_rows_changed FROM resx.pairs p JOIN before_pairs b USING (cell, ordinal)
 WHERE (p.r, p.p_value) IS DISTINCT FROM (b.r, b.p_value);
RESET ROLE;
-- Positive control: the custodian's own figure for alpha now differs (the change is real).
SET ROLE regress_custodian;
SELECT round(abs(((x).drivers[1]).beta - (SELECT beta FROM resx.drivers WHERE team = 'alpha' AND ordinal = 1))::numeric, 6) > 0
       AS custodian_sees_change
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex, tenure], employee) AS x FROM resx.src WHERE team = 'alpha') s;
-- The boundary of the withheld inference for two drivers over three measures: the per-table
-- floor 2(q + 2) = 8 (team of 7), and the cell's counting bound, which counts each slope's
-- Satterthwaite df shown beside its standard error (red team 0.3.0: a function of the members'
-- rows that the covariance does not fix): F = 3 (covariance) + 2 (df) = 5, so 3G >= 2 (3 + 6 + 5),
-- G >= 10 (9 members passed when the df were not counted, F = 3).  Teams of 7, 9 and 10 (all
-- released, k = 5).
CREATE TABLE resx.small (team text, employee text, cx float8, ex float8, tenure float8);
INSERT INTO resx.small SELECT t, t || '-' || e, (e * 7 + j) % 10, (e * 3 + j * 5) % 7 + 1, e % 5 + j
  FROM (VALUES ('seven', 7), ('nine', 9), ('ten', 10)) AS teams(t, size), generate_series(1, size) AS e, generate_series(1, 3) AS j;
SELECT exlink.publish('resx.small_cells', 'resx.small', 'employee', '{team}', '{cx,ex,tenure}', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('resx.small_drivers', 'resx.small_cells', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}');
SELECT exlink.results_fourth_order(release_key) AS counted_figures,
       exlink.release_status(9, 5, 27, 3, NULL, NULL, NULL, NULL, 3, 3) AS nine_without_df,
       exlink.release_status(9, 5, 27, 3, NULL, NULL, NULL, NULL, 3, exlink.results_fourth_order(release_key)) AS nine_with_df,
       exlink.release_status(10, 5, 30, 3, NULL, NULL, NULL, NULL, 3, exlink.results_fourth_order(release_key)) AS ten_with_df
  FROM exlink.publications WHERE object = 'resx.small_cells'::regclass;
RESET ROLE;
-- must fail: the df of a 9-member cell (no standard error, interval, p or df shown; the betas stay)
SET ROLE regress_analyst;
SELECT DISTINCT team, members, beta IS NOT NULL AS beta_shown, beta_se IS NOT NULL AS se_shown, p_value IS NOT NULL AS p_shown,
       df IS NOT NULL AS df_shown, inference, status, status_detail
  FROM resx.small_drivers ORDER BY team;
RESET ROLE;
-- Positive control: the custodian's aggregate over the nine-member team has the df and standard errors.
SET ROLE regress_custodian;
SELECT count(*) AS drivers, count(d.df) AS with_df, count(d.beta_se) AS with_se
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex, tenure], employee) AS m FROM resx.small WHERE team = 'nine') s,
       exlink.drivers(s.m) d;
RESET ROLE;

-- Rule: the bound counts the variables actually published.  Attack on 0.2.0's fixed bound (6
-- members for a correlations table): a team of 6 members with one row each, published with 8
-- measures (y, x1..x7), shows their 8 means and 36 co-moments in its moments column; a
-- correlations table of y on 7 drivers adds 7 clustered standard errors (as intervals and p):
-- 51 numbers for the 48 values of the rows (on 5 drivers, 49), the count at which issue 22's
-- least-squares solve recovered every row.  Team big (30 members, 2 rows each) is the contrast.
SET ROLE regress_custodian;
CREATE TABLE resx.six (team text, employee text, y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8, x7 float8);
INSERT INTO resx.six
SELECT t, t || '-' || e, sin(e * 1.3 + j), cos(e * 0.7 + j), sin(e * 2.1 - j), cos(e * 1.9), sin(e * 0.4 + j * 2), cos(e * 3.1 - j),
       sin(e * e * 0.2 + j), cos(e * 0.9 + j * j)
  FROM (VALUES ('six', 6, 1), ('big', 30, 2)) AS teams(t, size, rows_), generate_series(1, size) AS e, generate_series(1, rows_) AS j;
SELECT exlink.publish('resx.six7', 'resx.six', 'employee', '{team}', '{y,x1,x2,x3,x4,x5,x6,x7}', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('resx.six7_pairs', 'resx.six7', 'y', '{x1,x2,x3,x4,x5,x6,x7}', 'correlations', grant_to => '{regress_analyst}');
SELECT exlink.publish('resx.six5', 'resx.six', 'employee', '{team}', '{y,x1,x2,x3,x4,x5,x6,x7}', grant_to => '{regress_analyst}', force => true);
SELECT exlink.publish_results('resx.six5_pairs', 'resx.six5', 'y', '{x1,x2,x3,x4,x5}', 'correlations', grant_to => '{regress_analyst}');
RESET ROLE;
-- must fail: the 6-member team's intervals and p are withheld on 7 and on 5 drivers (big's shown)
SET ROLE regress_analyst;
SELECT '7 drivers' AS tables, team, members, count(*) AS pairs, count(p_value) AS p_shown, count(ci_low) AS ci_shown,
       min(status) AS status, min(status_detail) AS detail
  FROM resx.six7_pairs GROUP BY team, members
UNION ALL
SELECT '5 drivers', team, members, count(*), count(p_value), count(ci_low), min(status), min(status_detail)
  FROM resx.six5_pairs GROUP BY team, members ORDER BY 1, 2;
-- what the analyst holds about the team of 6 (one row each: 48 values): its moments
SELECT team, members, exlink.n(moments) AS n, cardinality(exlink.means(moments)) AS means,
       cardinality(exlink.means(moments)) * (cardinality(exlink.means(moments)) + 1) / 2 AS comoments
  FROM resx.six7 WHERE team = 'six';
RESET ROLE;
-- Positive control: the custodian computes what 0.2.0's bound released for the team of 6 (its
-- per-table rule, kept as a floor for results stored by 0.2.0: 6 members for correlations): all
-- 7 intervals and p, i.e. 8 + 36 + 7 = 51 published numbers for 48 unknowns (5 drivers: 49).
SET ROLE regress_custodian;
SELECT count(c.p_value) AS p_released_by_0_2_0, count(c.ci_low) AS ci_released_by_0_2_0,
       8 + 36 + 7 AS published_numbers, 6 * 8 AS unknown_values
  FROM exlink.correlation_results(
         (SELECT ARRAY[exlink.linked_correlation(y, x1, employee), exlink.linked_correlation(y, x2, employee),
                       exlink.linked_correlation(y, x3, employee), exlink.linked_correlation(y, x4, employee),
                       exlink.linked_correlation(y, x5, employee), exlink.linked_correlation(y, x6, employee),
                       exlink.linked_correlation(y, x7, employee)]
            FROM resx.six WHERE team = 'six'), 'y', '{x1,x2,x3,x4,x5,x6,x7}', 6) c;
SELECT exlink.release_status(6, 5, 6, 1, NULL, NULL, NULL, NULL, 8, 7) AS six_with_7, exlink.release_status(6, 5, 6, 1, NULL, NULL, NULL, NULL, 8, 5) AS six_with_5,
       exlink.release_status(30, 5, 30, 1, NULL, NULL, NULL, NULL, 8, 7) AS big_with_7;
SELECT exlink.unpublish('resx.six7');
SELECT exlink.unpublish('resx.six5');
RESET ROLE;

-- The results tables and a view over them pass the audit.
SET ROLE regress_custodian;
SELECT * FROM exlink.audit_view('resx.drivers');
SELECT * FROM exlink.audit_view('resx.pairs');
SELECT exlink.unpublish('resx.small_cells');
SELECT exlink.unpublish('resx.cells');
SELECT count(*) AS results_tables_left FROM exlink.result_tables;
DROP SCHEMA resx CASCADE;
RESET ROLE;
REVOKE ALL ON exlink.result_tables FROM regress_custodian;
REVOKE EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) FROM regress_custodian;
