-- exlink.driver_priority: probability of being the most important driver and rank intervals,
-- from seeded draws of the betas.
-- Two drivers: P(b1 > b2) = Phi(d / s) under normal draws and P(T_df < d / s) under t draws,
-- d = 0.05, s = sd(b1 - b2) = sqrt(0.01 + 0.0064 - 2 * 0.004).  The expected values are from
-- GSL (gsl_cdf_ugaussian_P, gsl_cdf_tdist_P): 0.707311 (normal), 0.695588 (t, 5 df); with
-- 100,000 draws the Monte Carlo SD is 0.0015, the tolerance 0.006 (4 SD).
SELECT df, name, rank, abs(p_most_important - expected) < 0.006 AS p_matches_analytic, rank_low, rank_high, status
  FROM (VALUES (NULL::float8, 0.707311), (5, 0.695588)) e(df, expected),
       exlink.driver_priority(ARRAY['b1', 'b2'], ARRAY[0.3, 0.25], ARRAY[[0.01, 0.004], [0.004, 0.0064]],
                              e.df, 100000, 7, 0.95, true) p
 WHERE p.ordinal = 1
 ORDER BY df NULLS FIRST;
-- The same by absolute importance (both betas far from 0: the same probability).
SELECT name, abs(p_most_important - 0.707311) < 0.006 AS p_matches_analytic
  FROM exlink.driver_priority(ARRAY['b1', 'b2'], ARRAY[0.3, 0.25], ARRAY[[0.01, 0.004], [0.004, 0.0064]],
                              NULL, 100000, 7)
 WHERE ordinal = 1;
-- Reproducible: the same inputs and seed give identical figures; another seed other draws.
SELECT (SELECT array_agg(p_most_important ORDER BY ordinal) FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]]))
     = (SELECT array_agg(p_most_important ORDER BY ordinal) FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]]))
       AS same_seed_same_figures,
       (SELECT array_agg(p_most_important ORDER BY ordinal) FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]]))
     <> (SELECT array_agg(p_most_important ORDER BY ordinal) FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]], seed => 2))
       AS other_seed_other_draws;
-- Invariants: probabilities sum to 1, mean ranks to q (q + 1) / 2; each interval holds its
-- point rank here; absolute (default) vs signed importance of a negative driver.
SELECT name, round(importance::numeric, 2) AS importance, rank, round(p_most_important::numeric, 2) AS p_first,
       round(mean_rank::numeric, 1) AS mean_rank, rank_low, rank_high, status
  FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]])
 ORDER BY ordinal;
SELECT name, round(importance::numeric, 2) AS importance, rank, round(p_most_important::numeric, 2) AS p_first, rank_low, rank_high
  FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.3, 0.25, -0.28], ARRAY[[0.01, 0.002, 0], [0.002, 0.01, 0], [0, 0, 0.01]], signed => true)
 ORDER BY ordinal;
SELECT abs(sum(p_most_important) - 1) < 1e-12 AS p_sums_to_1, abs(sum(mean_rank) - 10) < 1e-9 AS mean_ranks_sum_to_10
  FROM exlink.driver_priority(ARRAY['a', 'b', 'c', 'd'], ARRAY[0.1, 0.12, 0.11, -0.09],
                              ARRAY[[0.01, 0.005, 0, 0], [0.005, 0.01, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 0.02]], 20, 5000, 3);
-- Exchangeable drivers: each is first a third of the time (MC SD 0.005 at 10,000 draws).
SELECT bool_and(abs(p_most_important - 1.0 / 3) < 0.02) AS thirds, bool_and(abs(mean_rank - 2) < 0.05) AS mean_rank_2,
       bool_and(rank_low = 1 AND rank_high = 3) AS interval_1_3
  FROM exlink.driver_priority(ARRAY['a', 'b', 'c'], ARRAY[0.2, 0.2, 0.2], ARRAY[[0.01, 0, 0], [0, 0.01, 0], [0, 0, 0.01]]);
-- The level narrows or widens the rank interval.
SELECT level, name, rank_low, rank_high
  FROM (VALUES (0.5), (0.99)) l(level),
       exlink.driver_priority(ARRAY['a', 'b', 'c', 'd'], ARRAY[0.4, 0.3, 0.2, 0.1], array_fill(0::float8, ARRAY[4, 4]) , NULL, 10000, 1, l.level)
 ORDER BY level, ordinal;
SELECT level, name, rank_low, rank_high
  FROM (VALUES (0.5), (0.99)) l(level),
       exlink.driver_priority(ARRAY['a', 'b', 'c', 'd'], ARRAY[0.4, 0.3, 0.2, 0.1],
                              ARRAY[[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 0.01]], NULL, 10000, 1, l.level)
 ORDER BY level, ordinal;

-- Degenerate inputs give NULL figures and a status, never an error.
-- One driver: first with certainty.
SELECT name, rank, p_most_important, rank_low, rank_high, status
  FROM exlink.driver_priority(ARRAY['only'], ARRAY[0.1], ARRAY[[0.04]]);
-- Perfectly correlated betas (a singular covariance: eigen factor instead of Cholesky).
SELECT name, rank, round(p_most_important::numeric, 2) AS p_first, status
  FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.1, 0.05], ARRAY[[0.01, 0.01], [0.01, 0.01]])
 ORDER BY ordinal;
-- No covariance; a covariance that is not one; a driver without a beta (not ranked).
SELECT name, rank, p_most_important, rank_low, status
  FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.2, 0.1], NULL) ORDER BY ordinal;
SELECT name, rank, p_most_important, status
  FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.2, 0.1], ARRAY[[0.01, 0.02], [0.02, 0.01]]) ORDER BY ordinal;
SELECT name, rank, p_most_important, status
  FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.2, 0.1], ARRAY[[0.01, 0.001], [0.002, 0.01]]) ORDER BY ordinal;
SELECT name, rank, round(p_most_important::numeric, 2) AS p_first, rank_low, rank_high, status
  FROM exlink.driver_priority(ARRAY['a', 'gone', 'b'], ARRAY[0.2, NULL, 0.1],
                              ARRAY[[0.0001, NULL, 0], [NULL, NULL, NULL], [0, NULL, 0.0001]]::float8[])
 ORDER BY ordinal;
-- A covariance given as a flat array of q² numbers is read row by row.
SELECT count(*) FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.2, 0.1], ARRAY[0.01, 0, 0, 0.01]);

-- From a model: its covariance (cluster-robust here: 8 members, so the model's few-clusters
-- caveat is repeated in the status); a model without a covariance of its betas (a value with
-- members but no cluster summary, as 0.1.0 made them) says so; a suppressed model releases
-- nothing; a NULL model gives no rows.
CREATE TABLE prio (member text, y float8, a float8, b float8);
INSERT INTO prio SELECT 'e' || (i % 8), sin(i) + 0.5 * cos(i * 0.3) + 0.3 * sin(i * 7.1), sin(i), cos(i * 0.3)
  FROM generate_series(1, 80) i;
SELECT p.name, round(p.importance::numeric, 4) AS importance, p.rank, p.p_most_important, p.status
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b], member, ARRAY['a', 'b']) AS m FROM prio) s,
       exlink.driver_priority(s.m) p ORDER BY p.ordinal;
SELECT p.name, p.rank, p.p_most_important, p.status
  FROM exlink.driver_priority(exlink.driver_weights('{"p":3,"n":10,"skipped":0,"members":7,"mean":[0,0,0],"comoment":[1,0.5,0.2,1,0.1,1]}'::exlink.moments)) p
 ORDER BY p.ordinal;
SELECT p.name, p.rank, p.p_most_important, p.status
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b], member, ARRAY['a', 'b']) AS m FROM prio WHERE member < 'e3') s,
       exlink.driver_priority(s.m) p ORDER BY p.ordinal;
-- The model's covariance and df drive the draws: the array form on the same figures agrees
-- exactly.
SELECT (SELECT array_agg(p_most_important ORDER BY ordinal) FROM exlink.driver_priority(s.m, 20000, 5))
     = (SELECT array_agg(p_most_important ORDER BY ordinal)
          FROM exlink.driver_priority(ARRAY['a', 'b'], (SELECT array_agg(d.beta ORDER BY d.ordinal) FROM exlink.drivers(s.m) d),
                                      (s.m).vcov, (s.m).df, 20000, 5)) AS model_equals_arrays,
       (s.m).inference, (s.m).clusters, round((s.m).df::numeric, 4) AS df
  FROM (SELECT exlink.driver_weights(y, ARRAY[a, b], member, ARRAY['a', 'b']) AS m FROM prio) s;
SELECT count(*) FROM exlink.driver_priority(NULL::exlink.driver_model);

-- Misuse: errors with their SQLSTATE.
\set VERBOSITY sqlstate
SELECT * FROM exlink.driver_priority(ARRAY['a'], ARRAY[0.1], ARRAY[[0.01]], NULL, 0);
SELECT * FROM exlink.driver_priority(ARRAY['a'], ARRAY[0.1], ARRAY[[0.01]], NULL, 1000001);
SELECT * FROM exlink.driver_priority(ARRAY['a'], ARRAY[0.1], ARRAY[[0.01]], NULL, 100, 1, 1);
SELECT * FROM exlink.driver_priority(ARRAY['a'], ARRAY[0.1], ARRAY[[0.01]], NULL, NULL);
SELECT * FROM exlink.driver_priority(ARRAY['a'], ARRAY[0.1], ARRAY[[0.01]], 0);
SELECT * FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.1], ARRAY[[0.01]]);
SELECT * FROM exlink.driver_priority(ARRAY['a', NULL], ARRAY[0.1, 0.2], ARRAY[[0.01, 0], [0, 0.01]]);
SELECT * FROM exlink.driver_priority(ARRAY['a', 'b'], ARRAY[0.1, 0.2], ARRAY[[0.01, 0, 0], [0, 0.01, 0]]);
SELECT * FROM exlink.driver_priority(ARRAY[['a', 'b']], ARRAY[0.1, 0.2], ARRAY[[0.01, 0], [0, 0.01]]);
SELECT * FROM exlink.driver_priority(NULL, ARRAY[0.1], ARRAY[[0.01]]);
SELECT * FROM exlink.driver_priority(array(SELECT 'x' || i FROM generate_series(1, 64) i),
                                     array(SELECT 0.1::float8 FROM generate_series(1, 64) i), NULL);
\set VERBOSITY default
DROP TABLE prio;
