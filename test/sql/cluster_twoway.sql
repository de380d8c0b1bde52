-- Two-way clustering by member and team (Cameron, Gelbach & Miller 2011) for members NOT nested
-- in teams: inference => 'twoway' with the cluster argument.  Every figure against R
-- (test/data/cluster_twoway_reference.R: sandwich::vcovCL(cluster = ~ member + team, type = "HC1",
-- multi0 = FALSE), t on min(G) - 1 df; the correlations' linearization summed the same way) to
-- 1e-9 relative, serial and in a forced parallel plan; the eigenvalue fix (set 'fix'); on nested
-- data two-way equals CR1 by team; the guard counts members, not member-x-team cells.
CREATE TABLE tw_rows (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8)
    WITH (fillfactor = 10);
\copy tw_rows FROM 'test/data/cluster_twoway_data.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE tw_ref (set text, ordinal int, members bigint, teams bigint, split_members int, fixed boolean,
                     beta float8, beta_se float8, t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy tw_ref FROM 'test/data/cluster_twoway_reference.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE tw_ref_cor (set text, var text, members bigint, teams bigint, cells bigint, r float8, t float8,
                         df float8, p_value float8, ci_low float8, ci_high float8);
\copy tw_ref_cor FROM 'test/data/cluster_twoway_reference_correlation.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE tw_shuffled WITH (fillfactor = 10) AS SELECT * FROM tw_rows ORDER BY md5(member || y::text);
ANALYZE tw_shuffled;
-- Members in two teams (split), teams and member-x-team cells per set.
SELECT set, count(DISTINCT member) AS members, count(DISTINCT team) AS teams,
       count(DISTINCT (member, team)) AS cells,
       (SELECT count(*) FROM (SELECT member FROM tw_rows r WHERE r.set = s.set GROUP BY member
                              HAVING count(DISTINCT team) > 1) x) AS split_members
  FROM tw_rows s GROUP BY set ORDER BY set COLLATE "C";
CREATE FUNCTION tw_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;

-- driver_weights
CREATE TABLE tw_fit (how text, set text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO tw_fit
SELECT 'serial', set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'twoway', NULL, team)
  FROM tw_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'twoway', NULL, team) FROM tw_shuffled WHERE set = 'main';
INSERT INTO tw_fit
SELECT 'parallel', 'main', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'twoway', NULL, team)
  FROM tw_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT f.how, f.set, (f.m).members, (f.m).clusters, (f.m).df, (f.m).inference, (f.m).status, r.fixed,
       bool_and(tw_close(d.beta, r.beta)) AS beta, bool_and(tw_close(d.beta_se, r.beta_se)) AS se,
       bool_and(tw_close(d.t, r.t)) AS t, bool_and(tw_close(d.p_value, r.p_value)) AS p,
       bool_and(tw_close(d.ci_low, r.ci_low) AND tw_close(d.ci_high, r.ci_high)) AS ci,
       bool_and(tw_close(d.df, r.df)) AS df_ok
  FROM tw_fit f, exlink.drivers(f.m) d, tw_ref r
 WHERE r.set = f.set AND r.ordinal = d.ordinal
 GROUP BY f.how, f.set, f.m, r.fixed
 ORDER BY f.set COLLATE "C", f.how COLLATE "C";
-- Any figure outside the tolerance, with both values (no rows: none).
SELECT f.how, f.set, d.ordinal, d.beta_se, r.beta_se
  FROM tw_fit f, exlink.drivers(f.m) d, tw_ref r
 WHERE r.set = f.set AND r.ordinal = d.ordinal AND NOT tw_close(d.beta_se, r.beta_se);

-- linked_correlation and rank_correlation
CREATE TABLE tw_cor (how text, set text, var text, c exlink.correlation);
SET max_parallel_workers_per_gather = 0;
INSERT INTO tw_cor
SELECT 'serial', set, 'x1', exlink.linked_correlation(y, x1, member, 0.95, 'twoway', team) FROM tw_shuffled GROUP BY set
UNION ALL
SELECT 'serial', set, 'x4', exlink.linked_correlation(y, x4, member, 0.95, 'twoway', team) FROM tw_shuffled GROUP BY set
UNION ALL
SELECT 'serial', set, 'rank_x1', exlink.rank_correlation(y, x1, member, 0.95, 'twoway', team) FROM tw_shuffled GROUP BY set
UNION ALL
SELECT 'serial', set, 'rank_x4', exlink.rank_correlation(y, x4, member, 0.95, 'twoway', team) FROM tw_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
INSERT INTO tw_cor
SELECT 'parallel', 'main', 'x1', exlink.linked_correlation(y, x1, member, 0.95, 'twoway', team) FROM tw_shuffled WHERE set = 'main';
INSERT INTO tw_cor
SELECT 'parallel', 'main', 'rank_x4', exlink.rank_correlation(y, x4, member, 0.95, 'twoway', team) FROM tw_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT c.how, c.set, c.var, (c.c).members, (c.c).clusters, (c.c).status,
       tw_close((c.c).r, r.r) AS r_ok, tw_close((c.c).t, r.t) AS t_ok, tw_close((c.c).df, r.df) AS df_ok,
       tw_close((c.c).p_value, r.p_value) AS p_ok,
       tw_close((c.c).ci_low, r.ci_low) AND tw_close((c.c).ci_high, r.ci_high) AS ci_ok
  FROM tw_cor c JOIN tw_ref_cor r USING (set, var)
 ORDER BY c.set COLLATE "C", c.var COLLATE "C", c.how COLLATE "C";
SELECT DISTINCT (c).inference FROM tw_cor WHERE set = 'main';

-- Driver groups (a = x1, x2; b = x3, x4): the group Wald test on the two-way covariance, F on
-- (r, min(G) - 1) df, against R (cluster_twoway_reference_groups.csv), serial.
CREATE TABLE tw_ref_groups (set text, grp text, f float8, df1 float8, df2 float8, p float8);
\copy tw_ref_groups FROM 'test/data/cluster_twoway_reference_groups.csv' WITH (FORMAT csv, HEADER)
SET max_parallel_workers_per_gather = 0;
SELECT f.set, g.name, g.df1, g.df2,
       tw_close(g.f, r.f) AS f_ok, g.df1 = r.df1 AND g.df2 = r.df2 AS df_ok, tw_close(g.p_value, r.p) AS p_ok
  FROM (SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'twoway', ARRAY['a', 'a', 'b', 'b'], team) AS m
          FROM tw_shuffled GROUP BY set) f,
       exlink.driver_groups(f.m) g JOIN tw_ref_groups r ON r.grp = g.name
 WHERE r.set = f.set
 ORDER BY f.set COLLATE "C", g.name COLLATE "C";
RESET max_parallel_workers_per_gather;
DROP TABLE tw_ref_groups;

-- Nested data (cluster_data.csv: every member in one team): the member and cell terms cancel,
-- two-way is CR1 by team (cluster_team_reference.csv, method cr1) on min(G) - 1 = G_team - 1 df.
CREATE TABLE tw_nested (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8);
\copy tw_nested FROM 'test/data/cluster_data.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE tw_team_ref (set text, method text, ordinal int, clusters bigint, beta float8, beta_se float8,
                          t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy tw_team_ref FROM 'test/data/cluster_team_reference.csv' WITH (FORMAT csv, HEADER, NULL 'NA')
SELECT (f.m).clusters, bool_and(tw_close(d.beta_se, r.beta_se) AND tw_close(d.df, r.df)) AS equals_cr1_by_team
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'twoway', NULL, team) AS m
          FROM tw_nested WHERE set = 'main') f, exlink.drivers(f.m) d, tw_team_ref r
 WHERE r.set = 'main' AND r.method = 'cr1' AND r.ordinal = d.ordinal GROUP BY (f.m).clusters;

-- One-way clustering by team refuses the split members (22023); 'twoway' needs a cluster
-- argument (22023) and is not for moments values (22023).
\set VERBOSITY terse
SELECT (exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL, team)).clusters FROM tw_rows WHERE set = 'main';
SELECT (exlink.linked_correlation(y, x1, member, 0.95, 'twoway')).r FROM tw_rows WHERE set = 'main';
SELECT (exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'twoway')).r2 FROM tw_rows WHERE set = 'main';
SELECT (exlink.linked_correlation(exlink.moments(ARRAY[y, x1], member), 1, 2, 0.95, 'twoway')).r FROM tw_rows WHERE set = 'main';
SELECT (exlink.linked_correlation(y, x1, member, 0.95, 'two-way', team)).r FROM tw_rows WHERE set = 'main';
\set VERBOSITY default
-- A NULL or empty team: the row is skipped and counted.
SELECT (c).n, (c).skipped, (c).members, (c).clusters
  FROM (SELECT exlink.linked_correlation(y, x1, member, 0.95, 'twoway', NULLIF(team, 't1')) AS c
          FROM tw_rows WHERE set = 'main') f;

-- The guard counts members, not member-x-team cells: 4 split members (8 cells) are suppressed
-- for the analyst, 6 are not (members of 8 to 30 rows each, so that none dominates).
CREATE TABLE tw_split AS
SELECT member FROM tw_rows WHERE set = 'main' GROUP BY member
HAVING count(DISTINCT team) = 2 AND count(*) BETWEEN 8 AND 30 ORDER BY member COLLATE "C" LIMIT 6;
SELECT count(*) AS cells_of_first_4 FROM (SELECT DISTINCT member, team FROM tw_rows
  WHERE set = 'main' AND member IN (SELECT member FROM tw_split ORDER BY member COLLATE "C" LIMIT 4)) c;
GRANT SELECT ON tw_rows, tw_split TO regress_analyst;
SET ROLE regress_analyst;
-- must fail: fewer than k = 5 distinct members (the member-x-team cells do not count)
SELECT (m).suppressed, (m).r2, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'twoway', NULL, team) AS m
          FROM tw_rows WHERE set = 'main' AND member IN (SELECT member FROM tw_split ORDER BY member COLLATE "C" LIMIT 4)) f;
-- must fail: the same for the correlations
SELECT (exlink.linked_correlation(y, x1, member, 0.95, 'twoway', team)).suppressed,
       (exlink.rank_correlation(y, x1, member, 0.95, 'twoway', team)).suppressed
  FROM tw_rows WHERE set = 'main' AND member IN (SELECT member FROM tw_split ORDER BY member COLLATE "C" LIMIT 4);
-- positive control: 6 members are released
SELECT (m).suppressed, (m).r2 IS NOT NULL AS has_r2, (m).members, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'twoway', NULL, team) AS m
          FROM tw_rows WHERE set = 'main' AND member IN (SELECT member FROM tw_split)) f;
RESET ROLE;
REVOKE SELECT ON tw_rows, tw_split FROM regress_analyst;
DROP TABLE tw_split, tw_nested, tw_team_ref, tw_cor, tw_fit, tw_ref, tw_ref_cor, tw_rows, tw_shuffled;
DROP FUNCTION tw_close(float8, float8);
