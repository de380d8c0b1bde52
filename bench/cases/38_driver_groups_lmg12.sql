-- title: LMG over 12 groups (16 columns) in the final function vs the same model without groups (exlink_ms: issue 21's target < 50 ms)
-- target: <= 1.5
-- setup: CREATE TEMP TABLE syn AS SELECT exlink.merge(m) AS m FROM (SELECT exlink.moments(array(SELECT sin(i * j * 0.37) + 0.4 * cos(i * 0.11 + j) FROM generate_series(1, 17) j)) AS m FROM generate_series(1, 2000) i) s;
-- One moments value of 17 variables (outcome and 16 columns); the baseline fits the model
-- (betas, weights, per-column LMG over 2^16 subsets); the grouped form adds LMG over the 2^12
-- subsets of 12 groups (each include step sweeps all of a group's columns) and 12 Wald tests.
-- baseline:
SELECT (exlink.driver_weights(m, NULL, 'independent')).r2 FROM syn;
-- exlink:
SELECT (exlink.driver_weights(m, NULL, 'independent', '{a,a,b,b,c,c,d,d,e,f,g,h,i,j,k,l}')).r2 FROM syn;
