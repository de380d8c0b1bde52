-- Clustered (by member) inference of linked_correlation, rank_correlation and driver_weights
-- against R (test/data/cluster_reference.R): the default CR2 with Satterthwaite df
-- (clubSandwich) for models and the delete-one-member jackknife for correlations on rows and a
-- forced parallel plan; CR1 (sandwich::vcovCL) on request and for merged cells in which
-- members are nested; all to 1e-9 relative, with an offset of 1e4 on every EX column.  Then the
-- symmetry and duality of the correlation test, the inference option, the few-clusters
-- status, values without a cluster summary, the cluster summary's formats and the member limit.
CREATE TABLE cl_rows (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8)
    WITH (fillfactor = 10);
CREATE TABLE cl_ref (set text, ordinal int, clusters bigint, df float8, beta float8, beta_se float8,
                     t float8, p_value float8, ci_low float8, ci_high float8,
                     iid_beta_se float8, iid_t float8, iid_p_value float8, iid_df float8,
                     iid_ci_low float8, iid_ci_high float8);
CREATE TABLE cl_ref_vcov (set text, i int, j int, v float8);
CREATE TABLE cl_ref_cr2 (set text, ordinal int, clusters bigint, beta float8, beta_se float8,
                         t float8, df float8, p_value float8, ci_low float8, ci_high float8);
CREATE TABLE cl_ref_cr2_vcov (LIKE cl_ref_vcov);
CREATE TABLE cl_ref_cor (set text, var text, level float8, n bigint, clusters bigint, r float8,
                         t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy cl_rows FROM 'test/data/cluster_data.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref FROM 'test/data/cluster_reference_drivers.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref_vcov FROM 'test/data/cluster_reference_vcov.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref_cor FROM 'test/data/cluster_reference_correlation.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref_cr2 FROM 'test/data/cluster_reference_cr2.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref_cr2_vcov FROM 'test/data/cluster_reference_cr2_vcov.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cl_ref_jk (LIKE cl_ref_cor);
\copy cl_ref_jk FROM 'test/data/cluster_reference_jackknife.csv' WITH (FORMAT csv, HEADER)
-- One table of model references: the default (CR2) and CR1.
CREATE VIEW cl_ref_model AS
SELECT 'cr2' AS method, set, ordinal, clusters, df, beta, beta_se, t, p_value, ci_low, ci_high FROM cl_ref_cr2
UNION ALL
SELECT 'cr1', set, ordinal, clusters, df, beta, beta_se, t, p_value, ci_low, ci_high FROM cl_ref;
CREATE VIEW cl_ref_model_vcov AS
SELECT 'cr2' AS method, * FROM cl_ref_cr2_vcov UNION ALL SELECT 'cr1', * FROM cl_ref_vcov;
-- Rows in random order over many pages: a parallel plan splits every member across workers.
CREATE TABLE cl_shuffled WITH (fillfactor = 10) AS
SELECT * FROM cl_rows ORDER BY md5(member || y::text);
ANALYZE cl_shuffled;
SELECT set, count(*) AS n, count(DISTINCT member) AS members, min(x1) > 9990 AS offset_1e4
  FROM cl_rows GROUP BY set ORDER BY set COLLATE "C";

-- NULL equals only NULL: a figure that turns NULL on one side is a mismatch (bool_and would skip it).
CREATE FUNCTION cl_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;

-- The same model four ways: rows (serial), rows (parallel, workers only), both CR2 by default;
-- rows asking for CR1; merged team cells (CR1: a value keeps no per-member moments).
CREATE TABLE cl_fit (how text, method text, set text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO cl_fit
SELECT 'rows', 'cr2', set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) FROM cl_shuffled GROUP BY set;
INSERT INTO cl_fit
SELECT 'rows cr1', 'cr1', set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cr1') FROM cl_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) FROM cl_shuffled WHERE set = 'main';
INSERT INTO cl_fit
SELECT 'parallel', 'cr2', 'main', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) FROM cl_shuffled WHERE set = 'main';
INSERT INTO cl_fit
SELECT 'parallel', 'cr2', 'few', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) FROM cl_shuffled WHERE set = 'few';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
-- The cluster summary is opt-in (exlink.cluster_summary, superuser only, off by default): its
-- fourth-order sums let one solve for the rows of a cell's members (docs/security.md).
SHOW exlink.cluster_summary;
SELECT (exlink.linked_correlation(exlink.merge(m), 1, 2)).inference AS summary_off
  FROM (SELECT exlink.moments(ARRAY[y, x1], member) AS m FROM cl_rows WHERE set = 'main' GROUP BY team) c;
SELECT exlink.moments(ARRAY[y, x1], member)::text LIKE '%cluster_summary%' AS carries_summary
  FROM cl_rows WHERE set = 'main';
SET ROLE regress_analyst;
-- must fail: an analyst cannot make sealed values carry the summary
SET exlink.cluster_summary = on;
RESET ROLE;
-- positive control: the superuser can, and then the value carries it
SET exlink.cluster_summary = on;
SELECT exlink.moments(ARRAY[y, x1], member)::text LIKE '%cluster_summary%' AS carries_summary
  FROM cl_rows WHERE set = 'main';
-- Cells: team x set (every member in one team), sealed, through their text form, merged.
-- (The cells of set 'few' cover fewer than k = 5 members each: suppressed, so no cells rows.)
CREATE TABLE cl_cells AS
SELECT set, team, exlink.moments(ARRAY[y, x1, x2, x3, x4], member)::text::exlink.moments AS m
  FROM cl_rows GROUP BY set, team;
INSERT INTO cl_fit
SELECT 'cells', 'cr1', set, exlink.driver_weights(exlink.merge(m ORDER BY team DESC)) FROM cl_cells WHERE m IS NOT NULL GROUP BY set;

-- Each driver's df is its own (Satterthwaite) under CR2, G - 1 under CR1; the model's df is
-- the smallest.
SELECT f.how, f.set, (f.m).clusters, round((f.m).df::numeric, 4) AS df, (f.m).inference, (f.m).status, count(*) AS drivers,
       bool_and(cl_close(d.beta, r.beta)) AS beta, bool_and(cl_close(d.beta_se, r.beta_se)) AS se,
       bool_and(cl_close(d.t, r.t)) AS t, bool_and(cl_close(d.p_value, r.p_value)) AS p,
       bool_and(cl_close(d.ci_low, r.ci_low) AND cl_close(d.ci_high, r.ci_high)) AS ci,
       bool_and(cl_close(d.df, r.df) AND (f.m).clusters = r.clusters) AS df_g,
       cl_close((f.m).df, min(r.df)) AS model_df
  FROM cl_fit f, exlink.drivers(f.m) d, cl_ref_model r
 WHERE r.method = f.method AND r.set = f.set AND r.ordinal = d.ordinal
 GROUP BY f.how, f.set, f.m
 ORDER BY f.set COLLATE "C", f.how COLLATE "C";
-- Any figure outside the tolerance, with both values (no rows: none).
SELECT f.how, f.set, d.ordinal, d.beta_se, r.beta_se, d.p_value, r.p_value, d.df, r.df
  FROM cl_fit f, exlink.drivers(f.m) d, cl_ref_model r
 WHERE r.method = f.method AND r.set = f.set AND r.ordinal = d.ordinal
   AND NOT (cl_close(d.beta_se, r.beta_se) AND cl_close(d.p_value, r.p_value) AND cl_close(d.df, r.df));
-- The covariance matrix of the standardized betas (4 x 4) equals vcovCR's (CR2) or vcovCL's (CR1).
SELECT f.how, f.set, array_dims((f.m).vcov) AS dims,
       bool_and(cl_close((f.m).vcov[v.i][v.j], v.v)) AS vcov_ok
  FROM cl_fit f JOIN cl_ref_model_vcov v ON v.method = f.method AND v.set = f.set
 GROUP BY f.how, f.set, f.m ORDER BY f.set COLLATE "C", f.how COLLATE "C";

-- Independent rows on request (summary(lm) figures), and without a member (as in 0.1.0).
SELECT f.set, (f.m).inference, (f.m).clusters, (f.m).df,
       bool_and(cl_close(d.beta_se, r.iid_beta_se) AND cl_close(d.t, r.iid_t)
                AND cl_close(d.p_value, r.iid_p_value) AND (f.m).df = r.iid_df
                AND cl_close(d.ci_low, r.iid_ci_low) AND cl_close(d.ci_high, r.iid_ci_high)) AS iid_ok
  FROM (SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'independent') AS m
          FROM cl_rows GROUP BY set
        UNION ALL
        SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4]) FROM cl_rows GROUP BY set) f,
       exlink.drivers(f.m) d, cl_ref r
 WHERE r.set = f.set AND r.ordinal = d.ordinal
 GROUP BY f.set, f.m ORDER BY f.set COLLATE "C", (f.m).inference COLLATE "C";
SELECT (exlink.driver_weights(exlink.merge(m), NULL, 'independent')).inference FROM cl_cells WHERE set = 'main';

-- linked_correlation(cx, ex, member [, level]): rows (serial, reversed arguments, parallel) with
-- the default jackknife; rows asking for CR1 and merged cells with CR1.
CREATE TABLE cl_cor (how text, method text, set text, var text, level float8, c exlink.correlation);
INSERT INTO cl_cor
SELECT 'rows', 'jk', set, 'x1', 0.95, exlink.linked_correlation(y, x1, member) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows', 'jk', set, 'x4', 0.9, exlink.linked_correlation(y, x4, member, 0.9) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows reversed', 'jk', set, 'x1', 0.95, exlink.linked_correlation(x1, y, member) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows cr1', 'cr1', set, 'x1', 0.95, exlink.linked_correlation(y, x1, member, 0.95, 'cr1') FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows cr1 reversed', 'cr1', set, 'x4', 0.9, exlink.linked_correlation(x4, y, member, 0.9, 'cr1') FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'cells', 'cr1', set, 'x1', 0.9, exlink.linked_correlation(exlink.merge(m), 1, 2, 0.9) FROM cl_cells WHERE m IS NOT NULL GROUP BY set
UNION ALL
SELECT 'cells', 'cr1', set, 'x4', 0.95, exlink.linked_correlation(exlink.merge(m), 1, 5) FROM cl_cells WHERE m IS NOT NULL GROUP BY set
UNION ALL
SELECT 'cells reversed', 'cr1', set, 'x4', 0.95, exlink.linked_correlation(exlink.merge(m), 5, 1) FROM cl_cells WHERE m IS NOT NULL GROUP BY set;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
INSERT INTO cl_cor
SELECT 'parallel', 'jk', 'main', 'x4', 0.95, exlink.linked_correlation(y, x4, member) FROM cl_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
CREATE VIEW cl_ref_cor_all AS
SELECT 'jk' AS method, * FROM cl_ref_jk UNION ALL SELECT 'cr1', * FROM cl_ref_cor;
SELECT c.how, c.set, c.var, c.level, (c.c).clusters, round((c.c).df::numeric, 6) AS df, (c.c).inference, (c.c).status,
       cl_close((c.c).r, r.r) AS r_ok, cl_close((c.c).t, r.t) AS t_ok,
       cl_close((c.c).p_value, r.p_value) AS p_ok,
       cl_close((c.c).ci_low, r.ci_low) AND cl_close((c.c).ci_high, r.ci_high) AS ci_ok,
       round((c.c).r::numeric, 4) AS r, round((c.c).ci_low::numeric, 4) AS ci_low,
       round((c.c).ci_high::numeric, 4) AS ci_high
  FROM cl_cor c JOIN cl_ref_cor_all r USING (method, set, var, level)
 ORDER BY c.set COLLATE "C", c.var COLLATE "C", c.level, c.how COLLATE "C";
-- Duality: p < 1 - level exactly when the interval excludes 0 (every clustered figure above).
SELECT count(*) AS figures,
       count(*) FILTER (WHERE ((c).p_value < 1 - (c).level) <> ((c).ci_low > 0 OR (c).ci_high < 0)) AS not_dual
  FROM cl_cor;
SELECT (c).inference, (c).clusters, (c).df
  FROM (SELECT exlink.linked_correlation(y, x1, member, 0.95, 'independent') AS c FROM cl_rows WHERE set = 'main') s;
-- Spearman with a member: the same inference on the ranks (R: rank(), then as above), rows
-- serial, reversed and parallel (the workers' pairs carry their members' hashes), and CR1.
CREATE TABLE cl_ref_spearman (LIKE cl_ref_cor);
\copy cl_ref_spearman FROM 'test/data/cluster_reference_spearman.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cl_ref_spearman_jk (LIKE cl_ref_cor);
\copy cl_ref_spearman_jk FROM 'test/data/cluster_reference_spearman_jackknife.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cl_rank (how text, method text, set text, var text, level float8, c exlink.correlation);
SET max_parallel_workers_per_gather = 0;
INSERT INTO cl_rank
SELECT 'rows', 'jk', set, 'x1', 0.95, exlink.rank_correlation(y, x1, member) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows', 'jk', set, 'x4', 0.9, exlink.rank_correlation(y, x4, member, 0.9) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows reversed', 'jk', set, 'x4', 0.9, exlink.rank_correlation(x4, y, member, 0.9) FROM cl_shuffled GROUP BY set
UNION ALL
SELECT 'rows cr1', 'cr1', set, 'x1', 0.95, exlink.rank_correlation(y, x1, member, 0.95, 'cr1') FROM cl_shuffled GROUP BY set;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
INSERT INTO cl_rank
SELECT 'parallel', 'jk', 'main', 'x4', 0.95, exlink.rank_correlation(y, x4, member) FROM cl_shuffled WHERE set = 'main';
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT c.how, c.set, c.var, c.level, (c.c).clusters, round((c.c).df::numeric, 6) AS df, (c.c).inference, (c.c).status,
       cl_close((c.c).r, r.r) AS r_ok, cl_close((c.c).t, r.t) AS t_ok,
       cl_close((c.c).p_value, r.p_value) AS p_ok,
       cl_close((c.c).ci_low, r.ci_low) AND cl_close((c.c).ci_high, r.ci_high) AS ci_ok,
       round((c.c).r::numeric, 4) AS rho
  FROM cl_rank c
  JOIN (SELECT 'jk' AS method, * FROM cl_ref_spearman_jk UNION ALL SELECT 'cr1', * FROM cl_ref_spearman) r
       USING (method, set, var, level)
 ORDER BY c.set COLLATE "C", c.var COLLATE "C", c.level, c.how COLLATE "C";
-- Without a member: independent rows, as cor.test (test/sql/correlation_reference.sql).
SELECT (c).inference, (c).clusters, (c).df, round((c).r::numeric, 4) AS rho
  FROM (SELECT exlink.rank_correlation(y, x1) AS c FROM cl_rows WHERE set = 'main') s;
-- must fail: bad inference argument
SELECT exlink.linked_correlation(y, x1, member, 0.95, 'robust') FROM cl_rows;
SELECT exlink.driver_weights(y, ARRAY[x1], member, NULL, NULL) FROM cl_rows;

-- Values without a cluster summary: 0.1.0's format with members (clustered inference
-- unavailable: no SE, t, p or interval), alone or merged with a value that has one.
CREATE TABLE cl_old AS
SELECT regexp_replace(m::text, ',"clusters".*$', '}')::exlink.moments AS m
  FROM cl_cells WHERE set = 'main' AND team = 't1';
SELECT exlink.members(m) > 0 AS has_members, length(m::text) < 2000 AS no_summary FROM cl_old;
SELECT (d).inference, (d).status, (d).clusters, (SELECT bool_and(beta IS NOT NULL AND beta_se IS NULL AND p_value IS NULL) FROM exlink.drivers(d)) AS betas_only
  FROM (SELECT exlink.driver_weights(m) AS d FROM cl_old) s;
SELECT (d).inference FROM (SELECT exlink.driver_weights(m, NULL, 'independent') AS d FROM cl_old) s;
SELECT (exlink.driver_weights(exlink.merge(m))).inference
  FROM (SELECT m FROM cl_old UNION ALL SELECT m FROM cl_cells WHERE set = 'main' AND team <> 't1') s;
SELECT (c).inference, (c).status, (c).t IS NULL AS no_t, (c).r IS NOT NULL AS has_r
  FROM (SELECT exlink.linked_correlation(m, 1, 2) AS c FROM cl_old) s;
-- A value made without members: independent rows, as in 0.1.0.
SELECT (exlink.driver_weights(exlink.moments(ARRAY[y, x1]))).inference FROM cl_rows;

-- The summary's formats: text and binary round trips are exact; subset keeps it exact.
CREATE TABLE cl_bin (set text, team text, m exlink.moments);
\copy cl_cells TO 'results/cluster_cells.bin' WITH (FORMAT binary)
\copy cl_bin FROM 'results/cluster_cells.bin' WITH (FORMAT binary)
SELECT count(*) AS cells, bool_and(b.m::text = c.m::text) AS binary_round_trip
  FROM cl_bin b JOIN cl_cells c USING (set, team);
SELECT count(m) AS cells, bool_and(m::text::exlink.moments::text = m::text) AS text_round_trip,
       bool_and(m::text LIKE '%"clusters":%,"cluster_summary":[%') AS summary_in_text
  FROM cl_cells;
SELECT cl_close((c).t, r.t) AS subset_t_ok, cl_close((c).ci_low, r.ci_low) AS subset_ci_ok
  FROM (SELECT exlink.linked_correlation(exlink.merge(exlink.subset(m, '{5,1}')), 2, 1) AS c
          FROM cl_cells WHERE set = 'main') s, cl_ref_cor r
 WHERE r.set = 'main' AND r.var = 'x4' AND r.level = 0.95;
-- must fail: malformed summaries
SELECT '{"p":1,"n":2,"skipped":0,"members":2,"mean":[1],"comoment":[2],"clusters":3,"cluster_summary":[2,0,0,0,0,0]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":2,"mean":[1],"comoment":[2],"clusters":2,"cluster_summary":[1,1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":2,"mean":[1],"comoment":[2],"clusters":2,"cluster_summary":[2,5,0,1,0,1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":2,"mean":[1],"comoment":[2],"clusters":2,"cluster_summary":[2,0,0,0,"NaN",0]}'::exlink.moments;
-- must fail: G beyond 2^53 (a double would round it), and a merge whose G sum would pass it
SELECT '{"p":1,"n":9007199254740993,"skipped":0,"members":5,"mean":[1],"comoment":[2],"clusters":9007199254740993,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments;
SELECT exlink.merge(m) FROM (VALUES
  ('{"p":1,"n":9007199254740992,"skipped":0,"members":5,"mean":[1],"comoment":[2],"clusters":9007199254740992,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments),
  ('{"p":1,"n":9007199254740992,"skipped":0,"members":5,"mean":[1],"comoment":[2],"clusters":9007199254740992,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments)) t(m);
SELECT exlink.merge(m) FROM (VALUES
  ('{"p":1,"n":9007199254740992,"skipped":0,"members":5,"mean":[1],"comoment":[2],"clusters":9007199254740992,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments),
  ('{"p":1,"n":9007199254740992,"skipped":0,"members":5,"mean":[2],"comoment":[2],"clusters":9007199254740992,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments)) t(m);
-- (a valid one: two members of one row each, at 0 and 2)
SELECT '{"p":1,"n":2,"skipped":0,"members":2,"mean":[1],"comoment":[2],"clusters":2,"cluster_summary":[2,0,2,2,0,2]}'::exlink.moments IS NOT NULL AS valid;

-- Few clusters: with CR1 the status says so (G < 30), the figures stay; the default
-- small-sample methods need no such note.
SELECT how, (m).clusters, (m).status FROM cl_fit WHERE how IN ('rows', 'rows cr1') AND set = 'few' ORDER BY how;
SELECT (exlink.linked_correlation(y, x1, member)).status AS jackknife,
       (exlink.linked_correlation(y, x1, member, 0.95, 'cr1')).status AS cr1
  FROM cl_rows WHERE set = 'few';
-- Nesting: members in one team each (0 split), or split by a row-level grain; custodian only.
SELECT exlink.split_members('cl_rows', 'member', '{set,team}') AS by_team,
       exlink.split_members('cl_rows', 'member', '{team,x4}') AS by_row,
       exlink.split_members('cl_rows', 'member', '{}') AS no_grain;
GRANT SELECT ON cl_rows TO regress_analyst;
SET ROLE regress_analyst;
-- must fail: the nesting check reads raw rows (custodian tool)
SELECT exlink.split_members('cl_rows', 'member', '{team}');
RESET ROLE;
REVOKE SELECT ON cl_rows FROM regress_analyst;

-- The member limit: a clear 54000 with a hint.
SET ROLE regress_analyst;
-- must fail: the member limit's error would count the members of a suppressed live group
SET exlink.max_cluster_members = 1;
RESET ROLE;
-- positive control: the superuser sets it and the error shows a group's size class
SET exlink.max_cluster_members = 10;
SELECT exlink.driver_weights(y, ARRAY[x1, x2], member) FROM cl_rows;
SELECT (exlink.driver_weights(y, ARRAY[x1, x2], member, NULL, 'independent')).inference FROM cl_rows;
-- Above 16 variables the limit is scaled to the same memory: 100 members of 16 variables are
-- 100 * 153 doubles, i.e. 60 members of 21 variables (20 drivers: 253 doubles each).
SET exlink.max_cluster_members = 100;
SELECT (exlink.driver_weights(g::float8, array_fill(g::float8 + 1, ARRAY[20]), g::text)).n AS sixty_members_of_21_variables
  FROM generate_series(1, 60) g;
SELECT exlink.driver_weights(g::float8, array_fill(g::float8 + 1, ARRAY[20]), g::text) FROM generate_series(1, 61) g;
SELECT (exlink.driver_weights(g::float8, array_fill(g::float8 + 1, ARRAY[15]), g::text)).n AS hundred_members_of_16_variables
  FROM generate_series(1, 100) g;
RESET exlink.max_cluster_members;

-- CR2 at its edge: member m1 alone has x1 = 1 (one row, leverage 1: the adjustment is the
-- pseudo-inverse's 0 there), members of 1 to 6 rows; clubSandwich's figures to 1e-9.
CREATE TABLE cl_edge (member text, y float8, x1 float8, x2 float8, x3 float8);
CREATE TABLE cl_ref_edge (model text, ordinal int, beta float8, beta_se float8, t float8, df float8, p_value float8);
\copy cl_edge FROM 'test/data/cluster_edge.csv' WITH (FORMAT csv, HEADER)
\copy cl_ref_edge FROM 'test/data/cluster_reference_edge.csv' WITH (FORMAT csv, HEADER)
SELECT r.model, count(*) AS drivers, bool_and(cl_close(d.beta, r.beta) AND cl_close(d.beta_se, r.beta_se)
                                              AND cl_close(d.t, r.t) AND cl_close(d.df, r.df)
                                              AND cl_close(d.p_value, r.p_value)) AS matches_clubsandwich
  FROM (SELECT 'x2+x3' AS model, exlink.driver_weights(y, ARRAY[x2, x3], member) AS m FROM cl_edge
        UNION ALL
        SELECT 'x1+x2', exlink.driver_weights(y, ARRAY[x1, x2], member) FROM cl_edge) f,
       exlink.drivers(f.m) d, cl_ref_edge r
 WHERE r.model = f.model AND r.ordinal = d.ordinal
 GROUP BY r.model ORDER BY r.model;
DROP TABLE cl_edge, cl_ref_edge;

DROP VIEW cl_ref_model, cl_ref_model_vcov, cl_ref_cor_all;
DROP TABLE cl_rows, cl_shuffled, cl_ref, cl_ref_vcov, cl_ref_cor, cl_ref_spearman, cl_ref_spearman_jk, cl_ref_cr2,
           cl_ref_cr2_vcov, cl_ref_jk, cl_fit, cl_cor, cl_rank, cl_cells, cl_old, cl_bin;
DROP FUNCTION cl_close(float8, float8);
