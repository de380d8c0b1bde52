-- driver_weights' unstandardized slopes and cluster-bootstrap intervals of the importance shares
-- (issue 18, item 5).  References: test/data/bootstrap_reference.R (lm on the drivers' units
-- with clubSandwich CR2; the bootstrap distribution of the shares from 4000 R draws).
\set SHOW_CONTEXT never
CREATE TEMP TABLE bs_rows (set text, member text, team text, y float8, x1 float8, x2 float8, x3 float8, x4 float8);
\copy bs_rows FROM 'test/data/cluster_data.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE bs_raw (set text, ordinal integer, b float8, b_se float8, b_ci_low float8, b_ci_high float8);
\copy bs_raw FROM 'test/data/bootstrap_reference_raw.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE bs_q (ordinal integer, share text, q005 float8, q025 float8, q06 float8, q94 float8, q975 float8, q995 float8);
\copy bs_q FROM 'test/data/bootstrap_reference_quantiles.csv' WITH (FORMAT csv, HEADER)
CREATE FUNCTION bs_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;
CREATE TABLE bs_shuffled WITH (fillfactor = 10) AS SELECT * FROM bs_rows ORDER BY md5(member || y::text);
ANALYZE bs_shuffled;

-- The slope in the outcome's and driver's units, b = beta sd_y / sd_x, with its CR2 standard
-- error and Satterthwaite interval: lm(y ~ x) with clubSandwich, to 1e-9 (offset 1e4 in x).
SELECT r.set, count(*) AS drivers,
       bool_and(bs_close(u.b, r.b) AND bs_close(u.b_se, r.b_se)
                AND bs_close(u.b_ci_low, r.b_ci_low) AND bs_close(u.b_ci_high, r.b_ci_high)) AS matches_r
  FROM (SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member) AS m FROM bs_rows GROUP BY set) f
  CROSS JOIN LATERAL unnest((f.m).drivers) WITH ORDINALITY AS u
  JOIN bs_raw r ON r.set = f.set AND r.ordinal = u.ordinality
 GROUP BY r.set ORDER BY r.set;
-- ... and the same t: b / b_se = beta / beta_se; without a member (independent rows) too.
SELECT bool_and(abs((d).b / (d).b_se - (d).beta / (d).beta_se) < 1e-9) AS same_t,
       bool_and((d).b_ci_low < (d).b AND (d).b < (d).b_ci_high) AS interval_around_b
  FROM (SELECT unnest((exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member)).drivers) AS d FROM bs_rows
        UNION ALL
        SELECT unnest((exlink.driver_weights(y, ARRAY[x1, x2, x3, x4])).drivers) FROM bs_rows) s;

-- The bootstrap: 999 draws of the members (seed 7).  Each end of each percentile interval lies
-- within the Monte Carlo band of R's bootstrap distribution (the low end between its 0.5% and
-- 6% quantiles, the high end between its 94% and 99.5%), and low <= share <= high.
CREATE TEMP TABLE bs_fit AS
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 999, 7) AS m
  FROM bs_shuffled WHERE set = 'main';
SELECT (m).status, (m).inference FROM bs_fit;
SELECT q.ordinal, q.share, e.low BETWEEN q.q005 AND q.q06 AS low_in_band, e.high BETWEEN q.q94 AND q.q995 AS high_in_band,
       e.share_value BETWEEN e.low AND e.high AS covers_estimate, e.low >= 0 AND e.high <= 100 AS within_0_100
  FROM bs_fit, unnest((m).drivers) WITH ORDINALITY AS u
  CROSS JOIN LATERAL (VALUES ('relative_weight', u.relative_weight_share, u.relative_weight_share_low, u.relative_weight_share_high),
                             ('lmg', u.lmg_share, u.lmg_share_low, u.lmg_share_high)) AS e(share, share_value, low, high)
  JOIN bs_q q ON q.ordinal = u.ordinality AND q.share = e.share
 ORDER BY q.ordinal, q.share;
-- Reproducible: the same seed gives the same intervals, whatever the order of the rows (the
-- members are drawn in the order of their hashes, not of their arrival) and under a partial
-- (parallel) aggregation: the transition function puts groups, draws and seed (constants) in
-- the state, which carries them to the finalize step (it once read them from the call, which a
-- finalize step does not have, so the aggregates were parallel restricted).  Workers only, so
-- every state crosses serialization; another seed gives other intervals.
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 999, 7) FROM bs_shuffled WHERE set = 'main';
CREATE TEMP TABLE bs_parallel AS
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 999, 7) AS m FROM bs_shuffled WHERE set = 'main';
-- The grouped form (issue 21) and the bootstrap form with groups: partial aggregation too, per
-- set (one state per group of the GROUP BY in each worker).
EXPLAIN (COSTS OFF) SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}') FROM bs_shuffled;
CREATE TEMP TABLE bs_grouped_parallel AS
SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}') AS m,
       exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}', 199, 11) AS mb
  FROM bs_shuffled GROUP BY set;
EXPLAIN (COSTS OFF) SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}', 199, 11) FROM bs_shuffled GROUP BY set;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
-- The serial models (rows in another order): the same groups, group figures and bootstrap
-- intervals (to 1e-9, as below).
SELECT p.set, count(*) AS groups,
       bool_and(a.name = b.name AND a.columns = b.columns AND bs_close(a.lmg_share, b.lmg_share)
                AND bs_close(a.relative_weight_share, b.relative_weight_share) AND bs_close(a.f, b.f)
                AND bs_close(a.p_value, b.p_value)) AS grouped_parallel_same,
       bool_and(ag.name = a.name AND bs_close(ag.lmg_share, a.lmg_share) AND bs_close(ag.f, a.f)) AS bootstrap_form_same_groups,
       (SELECT bool_and(bs_close(c.relative_weight_share_low, d.relative_weight_share_low) AND bs_close(c.relative_weight_share_high, d.relative_weight_share_high)
                        AND bs_close(c.lmg_share_low, d.lmg_share_low) AND bs_close(c.lmg_share_high, d.lmg_share_high))
               AND count(c.lmg_share_low) = 4
          FROM unnest((p.mb).drivers) WITH ORDINALITY AS c JOIN unnest((s.mb).drivers) WITH ORDINALITY AS d USING (ordinality)) AS same_intervals
  FROM bs_grouped_parallel p
  JOIN (SELECT set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}') AS m,
               exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', '{a,a,b,b}', 199, 11) AS mb
          FROM bs_rows GROUP BY set) s USING (set),
       unnest((p.m).groups) WITH ORDINALITY AS a,
       unnest((s.m).groups) WITH ORDINALITY AS b,
       unnest((p.mb).groups) WITH ORDINALITY AS ag
 WHERE a.ordinality = b.ordinality AND ag.ordinality = a.ordinality
 GROUP BY p.set, p.mb, s.mb ORDER BY p.set;
CREATE TEMP TABLE bs_other AS
SELECT 'serial, rows in another order' AS how, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 999, 7) AS m
  FROM bs_rows WHERE set = 'main'
UNION ALL
SELECT 'parallel', m FROM bs_parallel
UNION ALL
SELECT 'seed 8', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 999, 8) FROM bs_rows WHERE set = 'main';
-- (equal to 1e-9: the members' sums differ in the last bits with the order of their rows)
SELECT o.how, bool_and(bs_close(a.relative_weight_share_low, b.relative_weight_share_low) AND bs_close(a.relative_weight_share_high, b.relative_weight_share_high)
                       AND bs_close(a.lmg_share_low, b.lmg_share_low) AND bs_close(a.lmg_share_high, b.lmg_share_high)) AS same_intervals
  FROM bs_fit f, bs_other o, unnest((f.m).drivers) WITH ORDINALITY AS a, unnest((o.m).drivers) WITH ORDINALITY AS b
 WHERE a.ordinality = b.ordinality GROUP BY o.how ORDER BY o.how;
-- Default seed (NULL) and no draws (0 or NULL: no intervals, as without the argument).
SELECT count((d).lmg_share_low) AS with_default_seed
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 99, NULL) AS m FROM bs_rows WHERE set = 'few') f,
       unnest((m).drivers) d;
SELECT count((d).lmg_share_low) AS without_draws, count((d).b) AS slopes
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 0, 1) AS m FROM bs_rows WHERE set = 'few') f,
       unnest((m).drivers) d;
-- Without per-member moments there is nothing to resample: independent rows say so.
SELECT (exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'independent', NULL, 99, 1)).status FROM bs_rows WHERE set = 'few';
-- Below k members nothing is computed (suppressed), bootstrap or not.
SELECT (m).suppressed, (m).status, (SELECT count((d).lmg_share_low) FROM unnest((m).drivers) d) AS intervals
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 99, 1) AS m
          FROM bs_rows WHERE member IN ('few-e001', 'few-e002', 'few-e003')) f;
-- Withheld inference (results tables' rule) removes the slope's interval and the bootstrap
-- intervals, keeps the slope.
SELECT (d).b IS NOT NULL AS b_kept, (d).b_se IS NULL AND (d).b_ci_low IS NULL AND (d).lmg_share_low IS NULL
                                    AND (d).relative_weight_share_high IS NULL AS inference_removed
  FROM (SELECT (exlink.withhold_inference(jsonb_build_object('k', (m)::text), 'withheld: test') ->> 'k')::exlink.driver_model AS m FROM bs_fit) w,
       unnest((m).drivers) d LIMIT 1;

-- Query parameters: a prepared statement's generic plan (forced here; chosen by plan_cache_mode
-- auto from the sixth EXECUTE on) passes groups, draws and seed as parameters, not constants:
-- the same model as the literals give.
PREPARE bs_prep(text[], integer, bigint) AS
  SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', $1, $2, $3) AS m
    FROM bs_rows WHERE set = 'few';
SET plan_cache_mode = force_generic_plan;
CREATE TEMP TABLE bs_param AS EXECUTE bs_prep('{a,a,b,c}', 99, 7);
SELECT (p.m)::text = (l.m)::text AS same_as_literals, (SELECT count((d).lmg_share_low) FROM unnest((p.m).drivers) d) AS intervals
  FROM bs_param p,
       (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', ARRAY['a', 'a', 'b', 'c'], 99, 7) AS m
          FROM bs_rows WHERE set = 'few') l;
RESET plan_cache_mode;
DEALLOCATE bs_prep;
DROP TABLE bs_param;

-- Errors.
\set VERBOSITY sqlstate
-- must fail: negative draws (22023), too many (54000), draws not a constant (22023)
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, -1, 1) FROM bs_rows WHERE set = 'few';
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 100001, 1) FROM bs_rows WHERE set = 'few';
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, length(set) * 10, 1) FROM bs_rows WHERE set = 'few';
-- must fail: as a window function, where the constants cannot be read from the call (0A000; it
-- was an internal error)
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 9, 1) OVER () FROM bs_rows WHERE set = 'few' LIMIT 1;
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', ARRAY['a', 'a', 'b', 'c']) OVER () FROM bs_rows WHERE set = 'few' LIMIT 1;
\set VERBOSITY default
-- the message names no argument the call did not use (no groups given here)
SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4], member, NULL, 'cluster', NULL, 9, 1) OVER () FROM bs_rows WHERE set = 'few' LIMIT 1;
DROP TABLE bs_shuffled;
