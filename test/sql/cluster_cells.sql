-- A model over merged cells clustered by cell (exlink.driver_weights_cells): each cell's
-- moments are its cluster's sums, so CR2 with Satterthwaite df and CR1 by cluster follow exactly
-- from the released cells.  The rows of cluster_data.csv (set main: 80 employees in 5 teams) are
-- published as team x half cells (10 cells); clustered by team, the model equals R's
-- clubSandwich::vcovCR(cluster = team, type = "CR2") + coef_test(Satterthwaite) and
-- sandwich::vcovCL(cluster = ~team, type = "HC1") on the rows (test/data/cluster_team_reference.R)
-- to 1e-9, serial and in a parallel plan; clustered by cell it equals the row aggregate clustered
-- by the same cells; the guard is the cells' member bound.
CREATE TABLE cc_rows (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8);
\copy cc_rows FROM 'test/data/cluster_data.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cc_ref (set text, method text, ordinal int, clusters bigint, beta float8, beta_se float8,
                     t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy cc_ref FROM 'test/data/cluster_team_reference.csv' WITH (FORMAT csv, HEADER, NULL 'NA')
CREATE FUNCTION cc_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;
-- The cells: team x half (employees by the parity of their number), guarded moments.
CREATE TABLE cc_cells WITH (fillfactor = 10) AS
SELECT team, right(member, 1)::int % 2 AS half, team || '/' || right(member, 1)::int % 2 AS cell,
       exlink.moments(ARRAY[y, x1, x2, x3, x4], member) AS m
  FROM cc_rows WHERE set = 'main' GROUP BY team, half;
SELECT count(*) AS cells, count(m) AS released, min(exlink.members(m)) AS min_members, sum(exlink.n(m)) AS rows_
  FROM cc_cells;
-- For the parallel plan: the cells among 3,000 NULL cells (ignored), in random order.
CREATE TABLE cc_padded WITH (fillfactor = 10) AS
SELECT team, half, cell, m FROM (SELECT c.*, 0 AS i FROM cc_cells c
                                  UNION ALL SELECT NULL, NULL, NULL, NULL, g FROM generate_series(1, 3000) g) x
 ORDER BY md5(coalesce(cell, '') || i);
ANALYZE cc_cells, cc_padded;

CREATE TABLE cc_fit (how text, method text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO cc_fit
SELECT 'serial', 'cr2', exlink.driver_weights_cells(m, team, '{x1,x2,x3,x4}', 'cluster') FROM cc_cells
UNION ALL
SELECT 'serial', 'cr1', exlink.driver_weights_cells(m, team, '{x1,x2,x3,x4}', 'cr1') FROM cc_cells;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT exlink.driver_weights_cells(m, team) FROM cc_padded;
INSERT INTO cc_fit SELECT 'parallel', 'cr2', exlink.driver_weights_cells(m, team, '{x1,x2,x3,x4}', 'cluster') FROM cc_padded;
INSERT INTO cc_fit SELECT 'parallel', 'cr1', exlink.driver_weights_cells(m, team, '{x1,x2,x3,x4}', 'cr1') FROM cc_padded;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- Every figure against R (clustered by team on the rows).
SELECT f.how, f.method, (f.m).members, (f.m).clusters, (f.m).inference, count(*) AS drivers,
       bool_and(cc_close(d.beta, r.beta)) AS beta, bool_and(cc_close(d.beta_se, r.beta_se)) AS se,
       bool_and(cc_close(d.t, r.t)) AS t, bool_and(cc_close(d.p_value, r.p_value)) AS p,
       bool_and(cc_close(d.ci_low, r.ci_low) AND cc_close(d.ci_high, r.ci_high)) AS ci,
       bool_and(cc_close(d.df, r.df) AND (f.m).clusters = r.clusters) AS df_g
  FROM cc_fit f, exlink.drivers(f.m) d, cc_ref r
 WHERE r.set = 'main' AND r.method = f.method AND r.ordinal = d.ordinal
 GROUP BY f.how, f.method, f.m ORDER BY f.method COLLATE "C", f.how COLLATE "C";
-- Clustered by cell (10 clusters): the row aggregate clustered by the same cells.
SELECT (c.m).clusters, bool_and(cc_close(dc.beta_se, dr.beta_se) AND cc_close(dc.df, dr.df) AND cc_close(dc.beta, dr.beta)) AS equals_rows
  FROM (SELECT exlink.driver_weights_cells(m, cell) AS m FROM cc_cells) c,
       (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL,
                                     team || '/' || right(member, 1)::int % 2) AS m
          FROM cc_rows WHERE set = 'main') r,
       exlink.drivers(c.m) dc, exlink.drivers(r.m) dr
 WHERE dc.ordinal = dr.ordinal GROUP BY (c.m).clusters;
-- The same union merged with exlink.merge keeps no per-cell sums (and these cells carry no
-- per-member summary): no clustered inference there.
SELECT (m).clusters, (m).inference FROM (SELECT exlink.driver_weights(exlink.merge(m)) AS m FROM cc_cells) f;
-- A cell without a cluster key: its rows skipped and counted; a NULL cell: ignored.
SELECT (m).n, (m).skipped, (m).clusters
  FROM (SELECT exlink.driver_weights_cells(m, CASE WHEN team = 't1' THEN NULL ELSE team END) AS m FROM cc_cells) f;
SELECT (m).n, (m).clusters FROM (SELECT exlink.driver_weights_cells(CASE WHEN team = 't1' THEN NULL ELSE m END, team) AS m FROM cc_cells) f;
-- Misuse: cells without a member count, of different widths, one variable (22023).
\set VERBOSITY terse
SELECT (exlink.driver_weights_cells(m, 'all')).r2
  FROM (SELECT exlink.moments(ARRAY[y, x1]) AS m FROM cc_rows WHERE set = 'main' GROUP BY team) c;
SELECT (exlink.driver_weights_cells(m, team)).r2
  FROM (SELECT team, CASE WHEN team = 't1' THEN exlink.moments(ARRAY[y, x1], member) ELSE exlink.moments(ARRAY[y, x1, x2], member) END AS m
          FROM cc_rows WHERE set = 'main' GROUP BY team) c;
SELECT (exlink.driver_weights_cells(m, 'all')).r2
  FROM (SELECT exlink.moments(ARRAY[y], member) AS m FROM cc_rows WHERE set = 'main') c;
\set VERBOSITY default

-- The guard: the cells' member bound (the largest of the cells', a lower bound of the union).
-- Cells that claim 4 members each are suppressed for the analyst; claiming 5, released.
CREATE TABLE cc_claims AS
SELECT team, regexp_replace(m::text, '"members": *[0-9]+', '"members":4')::exlink.moments AS m4,
       regexp_replace(m::text, '"members": *[0-9]+', '"members":5')::exlink.moments AS m5
  FROM cc_cells;
GRANT SELECT ON cc_claims TO regress_analyst;
SET ROLE regress_analyst;
-- must fail: a union of cells whose member bound is below k = 5
SELECT (m).suppressed, (m).r2, (m).members, (m).clusters
  FROM (SELECT exlink.driver_weights_cells(m4, team) AS m FROM cc_claims) f;
-- positive control: a bound of 5 is released
SELECT (m).suppressed, (m).r2 IS NOT NULL AS has_r2, (m).members, (m).clusters
  FROM (SELECT exlink.driver_weights_cells(m5, team) AS m FROM cc_claims) f;
-- must fail: a cell without a cluster key is skipped, so its bound does not count: the cells of
-- bound 4 with one skipped cell of bound 5 stay suppressed
SELECT (m).suppressed, (m).r2, (m).members
  FROM (SELECT exlink.driver_weights_cells(CASE WHEN team = 't1' THEN m5 ELSE m4 END,
                                           CASE WHEN team = 't1' THEN NULL ELSE team END) AS m FROM cc_claims) f;
RESET ROLE;
REVOKE SELECT ON cc_claims FROM regress_analyst;
DROP TABLE cc_claims, cc_fit, cc_cells, cc_padded, cc_ref, cc_rows;
DROP FUNCTION cc_close(float8, float8);
