-- title: exact Shapley/LMG, q = 20, in the final function (exlink_ms)
-- setup: CREATE TEMP TABLE syn AS SELECT exlink.moments(array(SELECT sin(i * j * 0.37) + 0.4 * cos(i * 0.11 + j) FROM generate_series(1, 21) j)) AS m FROM generate_series(1, 2000) i;
-- The baseline reads the same synthetic moments value (q = 20 drivers) without analysing it;
-- the exlink column is the time of the whole model (betas, weights, 2^20 subsets).
-- baseline:
SELECT exlink.n(m) FROM syn;
-- exlink:
SELECT (exlink.driver_weights(m)).r2 FROM syn;
