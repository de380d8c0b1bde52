-- driver_weights clustered by a coarser unit than the member (the team): CR2 with Satterthwaite
-- df (clubSandwich::vcovCR(cluster = team, type = "CR2"), coef_test) and CR1
-- (sandwich::vcovCL(cluster = ~team, type = "HC1")) against R (test/data/cluster_team_reference.R)
-- to 1e-9 relative, serial and in a forced parallel plan (every member split across workers);
-- the guard still counts members; a member in two teams is refused; NULL teams are skipped.
CREATE TABLE ct_rows (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8)
    WITH (fillfactor = 10);
\copy ct_rows FROM 'test/data/cluster_data.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE ct_ref (set text, method text, ordinal int, clusters bigint, beta float8, beta_se float8,
                     t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy ct_ref FROM 'test/data/cluster_team_reference.csv' WITH (FORMAT csv, HEADER, NULL 'NA')
CREATE TABLE ct_shuffled WITH (fillfactor = 10) AS SELECT * FROM ct_rows ORDER BY md5(member || y::text);
ANALYZE ct_shuffled;
-- Members nested in teams: every member has one team.
SELECT set, count(DISTINCT member) AS members, count(DISTINCT team) AS teams,
       (SELECT max(c) FROM (SELECT count(DISTINCT team) AS c FROM ct_rows r WHERE r.set = s.set GROUP BY member) x) AS teams_per_member
  FROM ct_rows s GROUP BY set ORDER BY set COLLATE "C";
-- NULL equals only NULL: a figure that turns NULL on one side is a mismatch (bool_and would skip it).
CREATE FUNCTION ct_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;

CREATE TABLE ct_fit (how text, method text, set text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO ct_fit
SELECT 'serial', 'cr2', set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, team)
  FROM ct_shuffled GROUP BY set;
INSERT INTO ct_fit
SELECT 'serial', 'cr1', set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cr1', NULL, team)
  FROM ct_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, team) FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_fit
SELECT 'parallel', 'cr2', 'main', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, team)
  FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_fit
SELECT 'parallel', 'cr1', 'main', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cr1', NULL, team)
  FROM ct_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- Every figure against R; clusters = teams, members still the employees.
SELECT f.how, f.method, f.set, (f.m).members, (f.m).clusters, round((f.m).df::numeric, 4) AS df,
       (f.m).inference, (f.m).suppressed, count(*) AS drivers,
       bool_and(ct_close(d.beta, r.beta)) AS beta, bool_and(ct_close(d.beta_se, r.beta_se)) AS se,
       bool_and(ct_close(d.t, r.t)) AS t, bool_and(ct_close(d.p_value, r.p_value)) AS p,
       bool_and(ct_close(d.ci_low, r.ci_low) AND ct_close(d.ci_high, r.ci_high)) AS ci,
       bool_and(ct_close(d.df, r.df) AND (f.m).clusters = r.clusters) AS df_g
  FROM ct_fit f, exlink.drivers(f.m) d, ct_ref r
 WHERE r.method = f.method AND r.set = f.set AND r.ordinal = d.ordinal
 GROUP BY f.how, f.method, f.set, f.m
 ORDER BY f.set COLLATE "C", f.how COLLATE "C", f.method COLLATE "C";
-- Any figure outside the tolerance, with both values (no rows: none).
SELECT f.how, f.method, f.set, d.ordinal, d.beta_se, r.beta_se, d.df, r.df
  FROM ct_fit f, exlink.drivers(f.m) d, ct_ref r
 WHERE r.method = f.method AND r.set = f.set AND r.ordinal = d.ordinal
   AND NOT (ct_close(d.beta_se, r.beta_se) AND ct_close(d.p_value, r.p_value) AND ct_close(d.df, r.df));
-- Team-clustered standard errors over member-clustered ones (R's, method member_cr2).
SELECT r.set, r.ordinal, round((t.beta_se / r.beta_se)::numeric, 3) AS team_over_member
  FROM ct_ref r JOIN ct_ref t ON t.set = r.set AND t.ordinal = r.ordinal AND t.method = 'cr2'
 WHERE r.method = 'member_cr2' ORDER BY r.set COLLATE "C", r.ordinal;
-- The same model without a cluster argument (by member) has the member CR2 figures.
SELECT bool_and(ct_close(d.beta_se, r.beta_se) AND ct_close(d.df, r.df)) AS by_member_ok, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) AS m FROM ct_rows WHERE set = 'main') f,
       exlink.drivers(f.m) d, ct_ref r
 WHERE r.method = 'member_cr2' AND r.set = 'main' AND r.ordinal = d.ordinal GROUP BY (m).clusters;

-- A NULL literal as cluster: the model by member; groups work with a cluster.
SELECT (a.m).clusters, (a.m).vcov = (b.m).vcov AS same_vcov, (a.m).inference,
       (SELECT array_agg(g.name ORDER BY g.name) FROM exlink.driver_groups(c.m) g) AS groups, (c.m).clusters AS grouped_clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, NULL) AS m FROM ct_rows WHERE set = 'main') a,
       (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) AS m FROM ct_rows WHERE set = 'main') b,
       (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}', team) AS m FROM ct_rows WHERE set = 'main') c;
-- Rows with a NULL or empty team are skipped and counted, as rows without a member.
SELECT (m).n, (m).skipped, (m).members, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL,
                                     CASE WHEN team = 't1' THEN NULL WHEN team = 't2' THEN '' ELSE team END) AS m
          FROM ct_rows WHERE set = 'main') f;
-- Independent inference asked for: the cluster argument plays no part.
SELECT (m).inference, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'independent', NULL, team) AS m
          FROM ct_rows WHERE set = 'main') f;
-- A member in two teams: refused (22023), serial and parallel.
\set VERBOSITY default
SELECT (exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL,
                              CASE WHEN member = 'main-e002' AND y > 0 THEN 'elsewhere' ELSE team END)).clusters
  FROM ct_rows WHERE set = 'main';
-- (terse: a worker or the finalize step may find the conflict, with or without a context line)
\set VERBOSITY terse
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
SELECT (exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL,
                              CASE WHEN member = 'main-e002' AND y > 0 THEN 'elsewhere' ELSE team END)).clusters
  FROM ct_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- linked_correlation clustered by team: the delete-one-team jackknife (default) and CR1 by team
-- against R (cluster_team_reference_correlation.csv), serial and parallel.
CREATE TABLE ct_ref_cor (set text, method text, var text, clusters bigint, r float8, t float8, df float8,
                         p_value float8, ci_low float8, ci_high float8);
\copy ct_ref_cor FROM 'test/data/cluster_team_reference_correlation.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE ct_cor (how text, method text, set text, var text, c exlink.correlation);
SET max_parallel_workers_per_gather = 0;
INSERT INTO ct_cor
SELECT 'serial', 'jackknife', set, 'x1', exlink.linked_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'jackknife', set, 'x4', exlink.linked_correlation(y, x4, member, 0.95, 'cluster', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'cr1', set, 'x1', exlink.linked_correlation(y, x1, member, 0.95, 'cr1', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'cr1', set, 'x4', exlink.linked_correlation(y, x4, member, 0.95, 'cr1', team) FROM ct_shuffled GROUP BY set;
-- rank_correlation clustered by team: the same methods on the ranks of all rows.
INSERT INTO ct_cor
SELECT 'serial', 'rank_jackknife', set, 'x1', exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'rank_jackknife', set, 'x4', exlink.rank_correlation(y, x4, member, 0.95, 'cluster', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'rank_cr1', set, 'x1', exlink.rank_correlation(y, x1, member, 0.95, 'cr1', team) FROM ct_shuffled GROUP BY set
UNION ALL
SELECT 'serial', 'rank_cr1', set, 'x4', exlink.rank_correlation(y, x4, member, 0.95, 'cr1', team) FROM ct_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT exlink.linked_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_cor
SELECT 'parallel', 'jackknife', 'main', 'x1', exlink.linked_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_cor
SELECT 'parallel', 'cr1', 'main', 'x4', exlink.linked_correlation(y, x4, member, 0.95, 'cr1', team) FROM ct_shuffled WHERE set = 'main';
EXPLAIN (COSTS OFF)
SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_cor
SELECT 'parallel', 'rank_jackknife', 'main', 'x1', exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) FROM ct_shuffled WHERE set = 'main';
INSERT INTO ct_cor
SELECT 'parallel', 'rank_cr1', 'main', 'x4', exlink.rank_correlation(y, x4, member, 0.95, 'cr1', team) FROM ct_shuffled WHERE set = 'main';
-- rank_correlation: a member in two teams is refused (22023), in a worker or at the end.
SELECT (exlink.rank_correlation(y, x1, member, 0.95, 'cluster',
                                CASE WHEN member = 'main-e002' AND y > 0 THEN 'elsewhere' ELSE team END)).r
  FROM ct_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT c.how, c.method, c.set, c.var, (c.c).members, (c.c).clusters, (c.c).inference, (c.c).status,
       ct_close((c.c).r, r.r) AS r_ok, ct_close((c.c).t, r.t) AS t_ok, ct_close((c.c).df, r.df) AS df_ok,
       ct_close((c.c).p_value, r.p_value) AS p_ok,
       ct_close((c.c).ci_low, r.ci_low) AND ct_close((c.c).ci_high, r.ci_high) AS ci_ok
  FROM ct_cor c JOIN ct_ref_cor r USING (method, set, var)
 ORDER BY c.set COLLATE "C", c.var COLLATE "C", c.method COLLATE "C", c.how COLLATE "C";
-- rank_correlation: rows with a NULL or empty team skipped and counted; 'independent' ignores the
-- cluster; without a cluster (the five-argument form) the jackknife deletes one member.
SELECT (c).n, (c).skipped, (c).clusters, (c).inference
  FROM (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster',
                                       CASE WHEN team = 't1' THEN NULL WHEN team = 't2' THEN '' ELSE team END) AS c
          FROM ct_rows WHERE set = 'main') f;
SELECT (c).clusters, (c).inference, (c).df
  FROM (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'independent', team) AS c FROM ct_rows WHERE set = 'main') f;
SELECT (a.c).r = (b.c).r AS same_rho, (a.c).clusters AS teams, (b.c).clusters AS members, (b.c).inference
  FROM (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) AS c FROM ct_rows WHERE set = 'main') a,
       (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster') AS c FROM ct_rows WHERE set = 'main') b;
DROP TABLE ct_cor, ct_ref_cor;

-- The guard counts members, not teams: 4 members are suppressed for the analyst, 6 are not
-- (members of 8 to 20 rows each, so that none dominates).
CREATE TABLE ct_balanced AS
SELECT member FROM ct_rows WHERE set = 'main' GROUP BY member HAVING count(*) BETWEEN 8 AND 20
 ORDER BY member COLLATE "C" LIMIT 6;
SELECT count(DISTINCT r.team) AS teams_of_first_4 FROM ct_rows r
 WHERE r.member IN (SELECT member FROM ct_balanced ORDER BY member COLLATE "C" LIMIT 4);
GRANT SELECT ON ct_rows, ct_balanced TO regress_analyst;
SET ROLE regress_analyst;
-- must fail: fewer than k = 5 distinct members (the team argument does not count)
SELECT (m).suppressed, (m).r2, (m).clusters
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL, team) AS m
          FROM ct_rows WHERE member IN (SELECT member FROM ct_balanced ORDER BY member COLLATE "C" LIMIT 4)) f;
-- positive control: 6 members are released
SELECT (m).suppressed, (m).r2 IS NOT NULL AS has_r2, (m).members, (m).clusters, (m).inference
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'cluster', NULL, team) AS m
          FROM ct_rows WHERE member IN (SELECT member FROM ct_balanced)) f;
-- must fail: rows whose team is NULL are skipped, so their members do not count either: one
-- member's rows with four decoy members whose team is NULL are not five members
SELECT (c).suppressed, (c).members, (c).r, (c).skipped
  FROM (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) AS c
          FROM (SELECT y, x1, member, CASE WHEN member = (SELECT min(member) FROM ct_balanced) THEN team END AS team
                  FROM ct_rows WHERE member IN (SELECT member FROM ct_balanced ORDER BY member COLLATE "C" LIMIT 5)) d) f;
SELECT (c).suppressed, (c).members, (c).r, (c).skipped
  FROM (SELECT exlink.linked_correlation(y, x1, member, 0.95, 'cluster', team) AS c
          FROM (SELECT y, x1, member, CASE WHEN member = (SELECT min(member) FROM ct_balanced) THEN team END AS team
                  FROM ct_rows WHERE member IN (SELECT member FROM ct_balanced ORDER BY member COLLATE "C" LIMIT 5)) d) f;
-- positive control: the same five members with their teams are released
SELECT (c).suppressed, (c).members, (c).r IS NOT NULL AS has_r, (c).skipped
  FROM (SELECT exlink.rank_correlation(y, x1, member, 0.95, 'cluster', team) AS c
          FROM ct_rows WHERE member IN (SELECT member FROM ct_balanced ORDER BY member COLLATE "C" LIMIT 5)) f;
RESET ROLE;
REVOKE SELECT ON ct_rows, ct_balanced FROM regress_analyst;
DROP TABLE ct_balanced, ct_fit, ct_ref, ct_rows, ct_shuffled;
DROP FUNCTION ct_close(float8, float8);
