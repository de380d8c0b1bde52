-- exlink.driver_weights: behaviour, invariants, degeneracies, errors, guard, moments form, parallel.
CREATE TABLE drv (id int, region text, member text, y float8, a float8, b float8, c float8, d float8);
INSERT INTO drv
SELECT i, CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END, 'e' || (i % 12),
       NULL, sin(i), cos(i * 0.7) + 0.5 * sin(i), sin(i * 1.3) * 2, cos(i * 2.1)
  FROM generate_series(1, 240) i;
-- Planted effects: a strong, b medium, c weak, d none; in the south b matters more.
UPDATE drv SET y = 3 * a + CASE WHEN region = 'north' THEN 1 ELSE 2.5 END * b + 0.4 * c + 0.8 * sin(id * 5.7);

-- Test helpers: all figures of a model as one float8[] (NULL as NaN), and a relative comparison.
CREATE FUNCTION dvec(m exlink.driver_model) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[coalesce(m.r2, 'NaN'), coalesce(m.adj_r2, 'NaN'), coalesce(m.condition_number, 'NaN')]
        || coalesce((SELECT array_agg(coalesce(v, 'NaN') ORDER BY d.ordinal, k)
                       FROM exlink.drivers(m) d,
                            unnest(ARRAY[d.beta, d.beta_se, d.t, d.p_value, d.pratt, d.relative_weight,
                                         d.relative_weight_share, d.lmg, d.lmg_share]) WITH ORDINALITY u(v, k)),
                    '{}') $$;
CREATE FUNCTION dclose(a float8[], b float8[], tol float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(a) = cardinality(b) AND
           bool_and((u = 'NaN' AND v = 'NaN') OR abs(u - v) <= tol * greatest(abs(v), 1e-3))
      FROM unnest(a, b) t(u, v) $$;

-- The model and its drivers.
SELECT n, skipped, members, round(r2::numeric, 6) AS r2, round(adj_r2::numeric, 6) AS adj_r2,
       round(condition_number::numeric, 4) AS cond, suppressed, status, cardinality(drivers) AS drivers
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b, c, d])).* FROM drv) s;
-- The documented BI statement: one plain row per region and driver.
SELECT region, d.name, d.rank, round(d.beta::numeric, 4) AS beta, round(d.beta_se::numeric, 4) AS se,
       round(d.t::numeric, 2) AS t, d.p_value < 0.001 AS p_lt_001, round(d.pratt::numeric, 4) AS pratt,
       round(d.relative_weight_share::numeric, 2) AS rw_pct, round(d.lmg_share::numeric, 2) AS lmg_pct,
       d.n, d.members, round(d.r2::numeric, 4) AS r2, d.status
  FROM (SELECT region, exlink.driver_weights(y, ARRAY[a, b, c, d], member, ARRAY['pay', 'manager', 'tools', 'canteen']) AS m
          FROM drv GROUP BY region) s,
       exlink.drivers(s.m) d
 ORDER BY region COLLATE "C", d.rank;
-- The composite as a whole (default names x1..xq).
SELECT (m).status, (d).name, (d).rank
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b]) AS m FROM drv) s, unnest((m).drivers) d;

-- Invariants: shares sum to 100 %, sum LMG = sum RW = sum Pratt = R².
SELECT abs(sum(d.relative_weight_share) - 100) < 1e-10 AS rw_shares_100,
       abs(sum(d.lmg_share) - 100) < 1e-10 AS lmg_shares_100,
       abs(sum(d.lmg) - max(d.r2)) < 1e-12 AS lmg_sum_r2,
       abs(sum(d.relative_weight) - max(d.r2)) < 1e-12 AS rw_sum_r2,
       abs(sum(d.pratt) - max(d.r2)) < 1e-12 AS pratt_sum_r2,
       bool_and(d.lmg >= 0 AND d.relative_weight >= 0) AS non_negative
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c, d]) AS m FROM drv) s, exlink.drivers(s.m) d;
-- Invariance to driver order: the same figures per driver name.
SELECT bool_and(dclose(ARRAY[p.beta, p.beta_se, p.p_value, p.relative_weight, p.lmg, p.rank],
                       ARRAY[q.beta, q.beta_se, q.p_value, q.relative_weight, q.lmg, q.rank], 1e-10)) AS order_invariant
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c, d], ARRAY['a', 'b', 'c', 'd']) AS m FROM drv) s1,
       exlink.drivers(s1.m) p,
       (SELECT exlink.driver_weights(y, ARRAY[d, b, a, c], ARRAY['d', 'b', 'a', 'c']) AS m FROM drv) s2,
       exlink.drivers(s2.m) q
 WHERE p.name = q.name;
-- Invariance to affine rescaling of a driver (and of the outcome); a negative scale flips the
-- sign of beta, t and leaves everything else.
SELECT dclose(dvec(m1), dvec(m2), 1e-9) AS affine_invariant,
       dclose(dvec(m1), dvec(m3), 1e-9) AS outcome_affine_invariant
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c, d]) AS m1,
               exlink.driver_weights(y, ARRAY[a, 1000 * b + 7, c, d / 1e6 - 3]) AS m2,
               exlink.driver_weights(0.01 * y - 40, ARRAY[a, b, c, d]) AS m3 FROM drv) s;
SELECT d.name, round(d.beta::numeric, 10) = round(e.beta::numeric, 10) AS beta_same,
       round(d.beta::numeric, 10) = round(-e.beta::numeric, 10) AS beta_flipped,
       round(d.lmg::numeric, 12) = round(e.lmg::numeric, 12) AS lmg_same
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b]) AS m1, exlink.driver_weights(y, ARRAY[a, -2 * b]) AS m2 FROM drv) s,
       exlink.drivers(s.m1) d, exlink.drivers(s.m2) e
 WHERE d.ordinal = e.ordinal ORDER BY d.ordinal;

-- Listwise deletion: a row with a NULL, NaN or Infinity in the outcome or any driver, or a NULL
-- drivers array, is skipped and counted.
SELECT n, skipped, status
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b])).*
          FROM (SELECT y, a, b FROM drv
                UNION ALL VALUES (NULL, 1, 1), (1, NULL, 1), ('NaN'::float8, 1, 1), (1, 1, 'Infinity'::float8),
                                 (1, '-Infinity'::float8, 1)) t(y, a, b)) s;
SELECT n, skipped FROM (SELECT (exlink.driver_weights(y, x)).* FROM (SELECT y, ARRAY[a, b] FROM drv UNION ALL SELECT 1, NULL) t(y, x)) s;

-- Degenerate data never aborts: NULL figures and a status.
-- zero-variance driver: excluded, the others fitted
SELECT status, round(r2::numeric, 6) AS r2 FROM (SELECT (exlink.driver_weights(y, ARRAY[a, 5, b])).* FROM drv) s;
SELECT d.name, d.beta IS NULL AS no_beta, d.lmg IS NULL AS no_lmg, d.rank
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, 5, b]) AS m FROM drv) s, exlink.drivers(s.m) d ORDER BY d.ordinal;
-- perfectly collinear drivers: no betas, but R², relative weights and LMG remain defined
SELECT status, round(r2::numeric, 6) AS r2, round(adj_r2::numeric, 6) AS adj_r2, condition_number
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b, a + 2 * b])).* FROM drv) s;
SELECT round(r2::numeric, 10) AS r2_without_the_combination
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b])).* FROM drv) s;
SELECT d.name, d.beta, round(d.relative_weight::numeric, 6) AS rw, round(d.lmg::numeric, 6) AS lmg,
       round(d.lmg_share::numeric, 4) AS lmg_pct, d.rank
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, a + 2 * b]) AS m FROM drv) s, exlink.drivers(s.m) d ORDER BY d.ordinal;
-- LMG under collinearity is order-invariant too, and still sums to R²
SELECT abs(sum(d.lmg) - max(d.r2)) < 1e-10 AS lmg_sum_r2,
       bool_and(abs(d.lmg - e.lmg) < 1e-12) AS order_invariant
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, a + 2 * b]) AS m1,
               exlink.driver_weights(y, ARRAY[a + 2 * b, b, a]) AS m2 FROM drv) s,
       exlink.drivers(s.m1) d, exlink.drivers(s.m2) e
 WHERE e.ordinal = 4 - d.ordinal;
-- duplicated driver: equal split
SELECT d.name, round(d.lmg_share::numeric, 6) AS lmg_pct, round(d.relative_weight_share::numeric, 6) AS rw_pct
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, a]) AS m FROM drv) s, exlink.drivers(s.m) d ORDER BY d.ordinal;
-- n <= q + 1: no standard errors; n = q + 1 is a perfect fit
SELECT n, round(r2::numeric, 10) AS r2, adj_r2, status FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b])).* FROM drv WHERE id <= 3) s;
SELECT d.name, d.beta IS NOT NULL AS has_beta, d.beta_se, d.t, d.p_value
  FROM exlink.drivers((SELECT exlink.driver_weights(y, ARRAY[a, b]) FROM drv WHERE id <= 3)) d;
SELECT n, r2, status FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b])).* FROM drv WHERE id <= 2) s;
SELECT n, r2, status FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b])).* FROM drv WHERE id <= 1) s;
-- exact fit with residual degrees of freedom: R² = 1, standard errors 0, no t or p
SELECT round(r2::numeric, 12) AS r2, status FROM (SELECT (exlink.driver_weights(2 * a - b, ARRAY[a, b])).* FROM drv) s;
-- constant outcome; all drivers constant
SELECT n, r2, status FROM (SELECT (exlink.driver_weights(1, ARRAY[a, b])).* FROM drv) s;
SELECT n, r2, status FROM (SELECT (exlink.driver_weights(y, ARRAY[1, 2])).* FROM drv) s;
-- all rows skipped: n = 0; no rows at all: NULL
SELECT n, skipped, r2, status, drivers FROM (SELECT (exlink.driver_weights(y, ARRAY[a, NULL])).* FROM drv) s;
SELECT n, skipped, status, drivers FROM (SELECT (exlink.driver_weights(y, NULL, ARRAY['u', 'v'])).* FROM drv) s;
SELECT exlink.driver_weights(y, ARRAY[a, b]) IS NULL AS no_rows FROM drv WHERE false;
SELECT count(*) AS rows_of_null_model FROM exlink.drivers(NULL);
-- huge and tiny magnitudes: the same standardized figures
SELECT dclose(dvec(m1), dvec(m2), 1e-9) AS huge_ok, dclose(dvec(m1), dvec(m3), 1e-9) AS tiny_ok
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c]) AS m1,
               exlink.driver_weights(y * 1e150, ARRAY[a * 1e150, b, c * 1e-150]) AS m2,
               exlink.driver_weights(y * 1e-150, ARRAY[a * 1e-150, b, c]) AS m3 FROM drv) s;

-- values whose squares overflow: no figures, a status
SELECT n, r2, status FROM (SELECT (exlink.driver_weights(y * 1e200, ARRAY[a * 1e200, b])).* FROM drv) s;

-- Misuse raises errors.
\set VERBOSITY terse
SELECT exlink.driver_weights(y, ARRAY[a, b], ARRAY['only one']) FROM drv;                  -- 22023
SELECT exlink.driver_weights(y, ARRAY[a, b], ARRAY['u', NULL]) FROM drv;                   -- 22023
SELECT exlink.driver_weights(y, ARRAY[a, b], ARRAY[['u'], ['v']]) FROM drv;                -- 2202E
SELECT exlink.driver_weights(y, CASE WHEN id = 5 THEN ARRAY[a] ELSE ARRAY[a, b] END) FROM drv;  -- 22023
SELECT exlink.driver_weights(y, ARRAY[a, b], CASE WHEN id = 5 THEN ARRAY['u', 'w'] ELSE ARRAY['u', 'v'] END) FROM drv;  -- 22023
SELECT exlink.driver_weights(y, array_fill(a, ARRAY[64])) FROM drv;                        -- 54000
SELECT exlink.driver_weights(y, ARRAY[[a, b]]) FROM drv;                                   -- 2202E
SELECT exlink.driver_weights('{"p":1,"n":3,"skipped":0,"members":null,"mean":[2],"comoment":[2]}'::exlink.moments);  -- 22023
SELECT exlink.driver_weights(exlink.moments(ARRAY[y, a, b]), ARRAY['u']) FROM drv;         -- 22023

-- Guard: below k distinct members every figure is NULL (names kept, so a BI row shows blanks).
SELECT n, skipped, members, r2, suppressed, status, drivers
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b], member, ARRAY['u', 'v'])).* FROM drv WHERE member IN ('e1', 'e2', 'e3', 'e4')) s;
SELECT n, members, suppressed, status
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b], member)).* FROM drv WHERE member IN ('e1', 'e2', 'e3', 'e4', 'e5')) s;
-- NULL and empty members do not count (and their rows are skipped)
SELECT n, skipped, members, suppressed
  FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b], CASE WHEN id % 6 = 0 THEN NULL WHEN id % 6 = 3 THEN '' ELSE member END)).* FROM drv) s;
SET exlink.min_group_size = 13;
SELECT n, members, suppressed FROM (SELECT (exlink.driver_weights(y, ARRAY[a, b], member)).* FROM drv) s;
RESET exlink.min_group_size;

-- The moments form: a cell, or a merge of cells, gives the same figures as the rows.
SELECT dclose(dvec(r), dvec(c), 1e-10) AS cell_equals_rows
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c, d], ARRAY['a', 'b', 'c', 'd']) AS r,
               exlink.driver_weights(exlink.moments(ARRAY[y, a, b, c, d]), ARRAY['a', 'b', 'c', 'd']) AS c FROM drv) s;
CREATE TABLE drv_cells AS
SELECT region, (id / 7) % 3 AS team, exlink.moments(ARRAY[y, a, b, c, d], member) AS m FROM drv GROUP BY 1, 2;
-- (These cells split members, so their cluster summaries must not be used: independent rows
-- on both sides; test/sql/cluster.sql checks clustered figures of nested cells.)
SELECT dclose(dvec(r), dvec(c), 1e-10) AS merged_cells_equal_rows, (c).members, (c).status
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c, d]) AS r FROM drv) x,
       (SELECT exlink.driver_weights(exlink.merge(m), NULL, 'independent') AS c FROM drv_cells) y;
SELECT region, d.name, d.rank
  FROM (SELECT region, exlink.driver_weights(exlink.merge(m), ARRAY['pay', 'manager', 'tools', 'canteen']) AS m
          FROM drv_cells GROUP BY region) s, exlink.drivers(s.m) d
 ORDER BY region COLLATE "C", d.rank;
-- a value whose member lower bound is below k is suppressed; unknown members (unguarded) are not
SELECT suppressed, n, status
  FROM (SELECT (exlink.driver_weights('{"p":2,"n":4,"skipped":0,"members":3,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments)).*) s;
SELECT suppressed, n, round(r2::numeric, 6) AS r2
  FROM (SELECT (exlink.driver_weights('{"p":2,"n":4,"skipped":0,"members":null,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments)).*) s;
SELECT exlink.driver_weights(NULL::exlink.moments) IS NULL AS null_in_null_out;
-- analysts may run it on what they can read (EXECUTE is public, like core aggregates)
SET ROLE regress_analyst;
SELECT d.name, d.rank, d.status
  FROM exlink.drivers(exlink.driver_weights('{"p":3,"n":10,"skipped":0,"members":7,"mean":[0,0,0],"comoment":[1,0.5,0.2,1,0.1,1]}'::exlink.moments,
                                            ARRAY['pay', 'tools'])) d;
RESET ROLE;
-- a crafted value, valid pair by pair but not as a whole (r_y1 = r_y2 = 0.9, r_12 = -0.9): no figures
SELECT n, r2, condition_number, status, drivers
  FROM (SELECT (exlink.driver_weights('{"p":3,"n":10,"skipped":0,"members":null,"mean":[0,0,0],"comoment":[1,0.9,0.9,1,-0.9,1]}'::exlink.moments)).*) s;
SELECT n, r2, status
  FROM (SELECT (exlink.driver_weights('{"p":3,"n":10,"skipped":0,"members":null,"mean":[0,0,0],"comoment":[1,0.9,-0.9,1,0.9,1]}'::exlink.moments)).*) s;
-- one driver: beta = r, everything else follows
SELECT d.beta, round(d.beta_se::numeric, 12) AS se, d.relative_weight, d.lmg, d.lmg_share, d.rank, d.r2, d.adj_r2
  FROM exlink.drivers(exlink.driver_weights('{"p":2,"n":10,"skipped":0,"members":null,"mean":[0,0],"comoment":[1,0.5,1]}'::exlink.moments)) d;

-- Twenty drivers: exact LMG over 2^20 subsets, sums to R², invariant to reversing the order.
CREATE TABLE drv20 AS
SELECT i, array(SELECT sin(i * j * 0.37) + 0.4 * cos(i * 0.11 + j) FROM generate_series(1, 20) j) AS x
  FROM generate_series(1, 500) i;
CREATE TABLE drv20_fit AS
SELECT exlink.driver_weights(x[1] - 0.5 * x[2] + 0.3 * x[7] + 0.2 * x[20] + sin(i * 3.3), x) AS fwd,
       exlink.driver_weights(x[1] - 0.5 * x[2] + 0.3 * x[7] + 0.2 * x[20] + sin(i * 3.3),
                             array(SELECT x[21 - k] FROM generate_series(1, 20) k)) AS rev
  FROM drv20;
SELECT (fwd).status, cardinality((fwd).drivers) AS drivers,
       (SELECT abs(sum(lmg) - max(r2)) < 1e-12 FROM exlink.drivers(fwd)) AS lmg_sum_r2,
       (SELECT bool_and(abs(f.lmg - r.lmg) <= 1e-12 * greatest(f.lmg, 1e-3))
          FROM exlink.drivers(fwd) f JOIN exlink.drivers(rev) r ON r.ordinal = 21 - f.ordinal) AS reversed_equal
  FROM drv20_fit;
-- Beyond the LMG limit (24 drivers): LMG NULL with a status, the rest computed, rank by relative weight.
SELECT (m).status, (m).r2 > 0 AS has_r2,
       (SELECT count(*) FROM exlink.drivers(m) WHERE lmg IS NULL AND beta IS NOT NULL AND rank IS NOT NULL) AS drivers
  FROM (SELECT exlink.driver_weights(x[1] + sin(i * 3.3),
                                     x || array(SELECT cos(i * j * 0.29) FROM generate_series(1, 5) j)) AS m
          FROM drv20) s;

-- Parallel plan: Partial Aggregate, the same figures as serial (names travel with the state).
CREATE TABLE drv_big AS
SELECT i, 'e' || (i % 50) AS member, sin(i) AS a, cos(i * 0.3) AS b, sin(i * 0.7) * cos(i) AS c,
       2 * sin(i) - cos(i * 0.3) + 0.1 * sin(i * 9.1) AS y
  FROM generate_series(1, 200000) i;
ANALYZE drv_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT exlink.driver_weights(y, ARRAY[a, b, c], member, ARRAY['u', 'v', 'w']) FROM drv_big;
CREATE TEMP TABLE drv_par AS SELECT exlink.driver_weights(y, ARRAY[a, b, c], member, ARRAY['u', 'v', 'w']) AS m FROM drv_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE drv_ser AS SELECT exlink.driver_weights(y, ARRAY[a, b, c], member, ARRAY['u', 'v', 'w']) AS m FROM drv_big;
RESET max_parallel_workers_per_gather;
-- The plans add the same rows in another order, so figures differ by rounding only, amplified
-- by each figure's conditioning.  Point figures (R², betas, weights, shares) are well
-- conditioned here (condition number about 1): 1e-10 relative.  A standard error is a sum of
-- squared cluster scores, each a difference of co-moments (Q_g[x,y] - b Q_g[x,x]) that cancels
-- the more the better the fit: its relative rounding grows as |t| (terms of size |b| Q_g[x,x]
-- give a score of size about |b| Q_g[x,x] / |t|), so SE is compared to 1000 eps (1 + |t|)
-- relative (here t reaches 1.4e7 and SE differs by 1.1e-10 relative), t = beta / SE to the
-- sum of both errors (a beta near 0 has the betas' absolute error), p absolutely to 1e-12.
SELECT abs((p.m).r2 - (s.m).r2) <= 1e-10 AND
       (SELECT bool_and(coalesce(abs(a.beta - b.beta) <= 1e-10 * greatest(abs(b.beta), 1e-3)
                        AND abs(a.relative_weight - b.relative_weight) <= 1e-10 * greatest(abs(b.relative_weight), 1e-3)
                        AND abs(a.lmg - b.lmg) <= 1e-10 * greatest(abs(b.lmg), 1e-3)
                        AND abs(a.beta_se - b.beta_se) <= 1000 * 2.2e-16 * (1 + abs(b.t)) * b.beta_se
                        AND abs(a.t - b.t) <= 1e-10 * greatest(abs(b.beta), 1e-3) / b.beta_se
                                                + 1000 * 2.2e-16 * (1 + abs(b.t)) * abs(b.t)
                        AND abs(a.p_value - b.p_value) <= 1e-12, false))
          FROM exlink.drivers(p.m) a JOIN exlink.drivers(s.m) b USING (ordinal)) AS parallel_equals_serial,
       (p.m).n, (p.m).members,
       (SELECT string_agg(name, ',' ORDER BY ordinal) FROM exlink.drivers(p.m)) AS names
  FROM drv_par p, drv_ser s;
-- Non-ASCII names through parallel workers under a client encoding other than the server's: the
-- names travel as server-encoded bytes (they once came back converted twice, or refused as
-- "names must be the same").  Workers only, so every state crosses the wire from a worker.
SET client_encoding = 'LATIN1';
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
SELECT (d).status, (SELECT string_agg(encode(convert_to(name, 'UTF8'), 'hex'), ',' ORDER BY ordinal) FROM exlink.drivers(d)) AS names_utf8_hex
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b, c], member, ARRAY[E'\u00f6', 'v', E'gr\u00f6\u00dfe']) AS d FROM drv_big) s;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
RESET client_encoding;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

DROP TABLE drv, drv_cells, drv20, drv20_fit, drv_big;
DROP FUNCTION dvec(exlink.driver_model), dclose(float8[], float8[], float8);
