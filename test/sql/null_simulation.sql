-- Null simulation: on linked data (EX constant within an employee, CX correlated within an
-- employee), no driver has any effect, and the default clustered inference of every test
-- (driver_weights: CR2 with Satterthwaite df; linked_correlation and rank_correlation: the
-- delete-one-member jackknife) must reject about 5 % of the time, at G = 30 and at G = 100
-- employees with very unequal transaction counts (1 to 60 each), ICC of CX 0.3 (issue 18,
-- item 7).  CR1 (inference => 'cr1') and independent rows are counted beside it.
-- 300 data sets at each G, each with three independent EX drivers x1..x3 and three independent
-- CX outcomes y1..y3 (each with its own employee effect): test j of a data set is about x_j and
-- y_j (for driver_weights: driver x_j in the model of y_j on x1..x3), so that the three tests of
-- a data set share no outcome and the 900 tests per statistic and G are close to independent
-- (with one outcome for all three, a data set whose outcome happens to favour rejection makes
-- all three reject, and the binomial interval below would be too narrow).  Deterministic: every draw is a hash of (data set,
-- employee, transaction, stream), as in examples/generate.sql, so the data do not depend on
-- plan, parallelism or row order.  The larger coverage study is in docs/statistics.md.
SET max_parallel_workers_per_gather = 0;
-- u(k, s): uniform on (0, 1); z(k, s): standard normal (Box-Muller on streams s and s + 1).
CREATE FUNCTION pg_temp.u(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT (((pg_catalog.hashtextextended(k::text, 18 * 65536 + s) >> 11) & 9007199254740991)::float8 + 0.5)
               / 9007199254740992.0';
CREATE FUNCTION pg_temp.z(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT pg_catalog.sqrt(-2 * pg_catalog.ln(pg_temp.u(k, s))) * pg_catalog.cos(2 * pg_catalog.pi() * pg_temp.u(k, s + 1))';
CREATE TEMP TABLE null_emp AS
SELECT g, d, e, k, 1 + floor(60 * pg_temp.u(k, 1))::int AS m,
       pg_temp.z(k, 2) AS x1, pg_temp.z(k, 4) AS x2, pg_temp.z(k, 6) AS x3,
       pg_temp.z(k, 8) AS u1, pg_temp.z(k, 12) AS u2, pg_temp.z(k, 14) AS u3
  FROM (SELECT g, d, e, ((g * 1000 + d) * 1000 + e)::bigint AS k
          FROM (VALUES (30, 300), (100, 300)) AS s(g, sets), generate_series(1, sets) d,
               generate_series(1, g) e) s;
-- y_j = sqrt(0.3) u_j,employee + sqrt(0.7) e_j,transaction: ICC 0.3, no EX effect.
CREATE TEMP TABLE null_rows AS
SELECT g, d, 'e' || e AS employee, x1, x2, x3,
       sqrt(0.3) * u1 + sqrt(0.7) * pg_temp.z(k * 100 + t, 10) AS y1,
       sqrt(0.3) * u2 + sqrt(0.7) * pg_temp.z(k * 100 + t, 16) AS y2,
       sqrt(0.3) * u3 + sqrt(0.7) * pg_temp.z(k * 100 + t, 18) AS y3
  FROM null_emp, generate_series(1, m) t;
ANALYZE null_rows;
-- The design per G: data sets, employees, rows per set, the spread of the employees' sizes and
-- the realised intra-employee correlation of y1 (one-way ANOVA estimator, averaged over sets).
WITH e AS (SELECT g, d, employee, count(*) AS m, avg(y1) AS ybar, var_samp(y1) AS w FROM null_rows GROUP BY 1, 2, 3),
     s AS (SELECT g, d, sum(m) AS n, min(m) AS m_min, max(m) AS m_max,
                  sum((m - 1) * coalesce(w, 0)) / (sum(m) - count(*)) AS msw,
                  (sum(m * ybar * ybar) - sum(m * ybar) ^ 2 / sum(m)) AS ssb,
                  (sum(m) - sum(m * m) / sum(m)) AS m0
             FROM e GROUP BY g, d)
SELECT g AS employees, count(*) AS data_sets, round(avg(n)) AS rows_per_set, min(m_min) AS fewest, max(m_max) AS most,
       round(avg(((ssb / (g - 1)) - msw) / ((ssb / (g - 1)) + (m0 / (g - 1) - 1) * msw))::numeric, 1) AS icc
  FROM s GROUP BY g ORDER BY g;

-- Every test: per data set and j, driver x_j in the model of y_j on x1..x3, and the correlation
-- and rank correlation of y_j with x_j; default, CR1 and independent rows.
CREATE TEMP TABLE null_tests AS
SELECT g, d, 'driver_weights' AS statistic, c.ordinal, c.p_value AS p, c.ci_low, c.ci_high,
       r.p_value AS p_cr1, n.p_value AS p_independent, (f.dflt).inference
  FROM (SELECT g, d, v.j, exlink.driver_weights(v.y, ARRAY[x1, x2, x3], employee) AS dflt,
               exlink.driver_weights(v.y, ARRAY[x1, x2, x3], employee, NULL, 'cr1') AS cr1,
               exlink.driver_weights(v.y, ARRAY[x1, x2, x3], employee, NULL, 'independent') AS naive
          FROM null_rows, LATERAL (VALUES (1, y1), (2, y2), (3, y3)) AS v(j, y) GROUP BY g, d, v.j) f,
       exlink.drivers(f.dflt) c, exlink.drivers(f.cr1) r, exlink.drivers(f.naive) n
 WHERE c.ordinal = f.j AND r.ordinal = f.j AND n.ordinal = f.j;
INSERT INTO null_tests
SELECT g, d, statistic, ordinal, (c).p_value, (c).ci_low, (c).ci_high, (r).p_value, (n).p_value, (c).inference
  FROM (SELECT g, d, 'linked_correlation' AS statistic, v.ordinal,
               exlink.linked_correlation(v.y, v.x, employee) AS c,
               exlink.linked_correlation(v.y, v.x, employee, 0.95, 'cr1') AS r,
               exlink.linked_correlation(v.y, v.x) AS n
          FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(ordinal, y, x) GROUP BY g, d, v.ordinal
        UNION ALL
        SELECT g, d, 'rank_correlation', v.ordinal,
               exlink.rank_correlation(v.y, v.x, employee),
               exlink.rank_correlation(v.y, v.x, employee, 0.95, 'cr1'),
               exlink.rank_correlation(v.y, v.x)
          FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(ordinal, y, x) GROUP BY g, d, v.ordinal) s;

-- False positives at alpha = 0.05.  The default must lie within 3 binomial SDs of 0.05
-- (900 tests: 0.029..0.071); independent rows must be clearly
-- anti-conservative (above 0.2: the design effect 1 + (m - 1) ICC is about 10 here).  For a
-- correlation the test and the interval share one variance: p < 0.05 exactly when the 95 %
-- interval misses 0 (not_dual = 0).  The counts are deterministic.
SELECT g AS employees, statistic, min(inference) AS inference, count(*) AS tests,
       count(*) FILTER (WHERE p < 0.05) AS fp,
       round(avg((p < 0.05)::int), 3) AS rate,
       abs(avg((p < 0.05)::int) - 0.05) <= 3 * sqrt(0.05 * 0.95 / count(*)) AS near_5pct,
       round(avg((p_cr1 < 0.05)::int), 3) AS rate_cr1,
       avg((p_independent < 0.05)::int) > 0.2 AS independent_anti_conservative,
       count(*) FILTER (WHERE (p < 0.05) <> (ci_low > 0 OR ci_high < 0)) AS not_dual
  FROM null_tests GROUP BY g, statistic ORDER BY g, statistic COLLATE "C";
DROP TABLE null_tests, null_rows, null_emp;
RESET max_parallel_workers_per_gather;
