-- The null simulation of test/sql/null_simulation.sql with many more data sets (issue 18): is the
-- 6-7 % rejection the test prints at 900 tests per statistic Monte Carlo noise or a real excess?
-- The same design (EX constant within an employee, 1-60 transactions each, employee ICC 0.3, no
-- effect, three independent drivers and outcomes per data set, hash draws), other data sets
-- (k keeps the set number in more digits, so sets 1..300 are not the test's).
--   tools/with-cluster.sh psql -X -v sets=3334 -v out=/tmp/null_large.csv -f test/data/null_simulation_large.sql
-- sets: data sets per G (3 tests each); out: a CSV of every test (G, set, statistic, j, t, df,
-- p of the default, p of CR1, a candidate df) for further analysis.  About 20 minutes of CPU
-- for 3334 sets on the 2-core VM.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS exlink CASCADE;
CREATE FUNCTION pg_temp.u(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT (((pg_catalog.hashtextextended(k::text, 18 * 65536 + s) >> 11) & 9007199254740991)::float8 + 0.5)
               / 9007199254740992.0';
CREATE FUNCTION pg_temp.z(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT pg_catalog.sqrt(-2 * pg_catalog.ln(pg_temp.u(k, s))) * pg_catalog.cos(2 * pg_catalog.pi() * pg_temp.u(k, s + 1))';
CREATE TEMP TABLE null_emp AS
SELECT g, d, e, k, 1 + floor(60 * pg_temp.u(k, 1))::int AS m,
       pg_temp.z(k, 2) AS x1, pg_temp.z(k, 4) AS x2, pg_temp.z(k, 6) AS x3,
       pg_temp.z(k, 8) AS u1, pg_temp.z(k, 12) AS u2, pg_temp.z(k, 14) AS u3
  FROM (SELECT g, d, e, ((g::bigint * 1000000 + d) * 1000 + e) AS k
          FROM (VALUES (30), (100)) AS s(g), generate_series(1, :sets) d,
               generate_series(1, g) e) s;
CREATE TEMP TABLE null_rows AS
SELECT g, d, 'e' || e AS employee, x1, x2, x3,
       sqrt(0.3) * u1 + sqrt(0.7) * pg_temp.z(k * 100 + t, 10) AS y1,
       sqrt(0.3) * u2 + sqrt(0.7) * pg_temp.z(k * 100 + t, 16) AS y2,
       sqrt(0.3) * u3 + sqrt(0.7) * pg_temp.z(k * 100 + t, 18) AS y3
  FROM null_emp, generate_series(1, m) t;
CREATE INDEX ON null_rows (g, d);
ANALYZE null_rows;
CREATE TEMP TABLE null_tests AS
SELECT g, d, 'driver_weights' AS statistic, c.ordinal AS j, c.t, c.df, c.p_value AS p, r.p_value AS p_cr1
  FROM (SELECT g, d, v.j, exlink.driver_weights(v.y, ARRAY[x1, x2, x3], employee) AS dflt,
               exlink.driver_weights(v.y, ARRAY[x1, x2, x3], employee, NULL, 'cr1') AS cr1
          FROM null_rows, LATERAL (VALUES (1, y1), (2, y2), (3, y3)) AS v(j, y) GROUP BY g, d, v.j) f,
       exlink.drivers(f.dflt) c, exlink.drivers(f.cr1) r
 WHERE c.ordinal = f.j AND r.ordinal = f.j;
INSERT INTO null_tests
SELECT g, d, statistic, j, (c).t, (c).df, (c).p_value, (r).p_value
  FROM (SELECT g, d, 'linked_correlation' AS statistic, v.j,
               exlink.linked_correlation(v.y, v.x, employee) AS c,
               exlink.linked_correlation(v.y, v.x, employee, 0.95, 'cr1') AS r
          FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(j, y, x) GROUP BY g, d, v.j
        UNION ALL
        SELECT g, d, 'rank_correlation', v.j,
               exlink.rank_correlation(v.y, v.x, employee),
               exlink.rank_correlation(v.y, v.x, employee, 0.95, 'cr1')
          FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(j, y, x) GROUP BY g, d, v.j) s;
-- A candidate df for the correlations' jackknife t (instead of G - 1): the mean of the CR2
-- Satterthwaite df of the two slopes (y on x, x on y; symmetric in the arguments), taken from
-- driver_weights with one driver; for rank_correlation on the ranks.  p_cand: that p.
CREATE TEMP TABLE null_cand AS
SELECT g, d, v.j,
       ((exlink.driver_weights(v.y, ARRAY[v.x], employee)).drivers[1].df
        + (exlink.driver_weights(v.x, ARRAY[v.y], employee)).drivers[1].df) / 2 AS df_lc
  FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(j, y, x) GROUP BY g, d, v.j;
CREATE TEMP TABLE null_rank AS
SELECT g, d, employee, j, rank() OVER (PARTITION BY g, d, j ORDER BY y)::float8 AS ry, rank() OVER (PARTITION BY g, d, j ORDER BY x)::float8 AS rx
  FROM null_rows, LATERAL (VALUES (1, y1, x1), (2, y2, x2), (3, y3, x3)) AS v(j, y, x);
INSERT INTO null_cand
SELECT g, -d, j, ((exlink.driver_weights(ry, ARRAY[rx], employee)).drivers[1].df
                  + (exlink.driver_weights(rx, ARRAY[ry], employee)).drivers[1].df) / 2
  FROM null_rank GROUP BY g, d, j;
-- (SQL has no t distribution: the candidate's rejection is computed from the exported t and
-- df_cand, e.g. in R: mean(2 * pt(-abs(t), df_cand) < 0.05).)
ALTER TABLE null_tests ADD COLUMN df_cand float8;
UPDATE null_tests t SET df_cand = c.df_lc FROM null_cand c
 WHERE c.g = t.g AND c.j = t.j AND c.d = CASE WHEN t.statistic = 'rank_correlation' THEN -t.d ELSE t.d END
   AND t.statistic <> 'driver_weights';
-- Rejection at 5 % with its 95 % Wilson interval; at 1 % and 10 % too.
SELECT g AS employees, statistic, count(*) AS tests,
       round(avg((p < 0.05)::int), 4) AS rate_5,
       round(((avg((p < 0.05)::int) + 1.92 / count(*) - 1.96 * sqrt(avg((p < 0.05)::int) * (1 - avg((p < 0.05)::int)) / count(*) + 0.96 / count(*) ^ 2)) / (1 + 3.84 / count(*)))::numeric, 4) AS lo,
       round(((avg((p < 0.05)::int) + 1.92 / count(*) + 1.96 * sqrt(avg((p < 0.05)::int) * (1 - avg((p < 0.05)::int)) / count(*) + 0.96 / count(*) ^ 2)) / (1 + 3.84 / count(*)))::numeric, 4) AS hi,
       round(avg((p < 0.01)::int), 4) AS rate_1, round(avg((p < 0.10)::int), 4) AS rate_10,
       round(avg((p_cr1 < 0.05)::int), 4) AS rate_cr1_5
  FROM null_tests GROUP BY g, statistic ORDER BY g, statistic COLLATE "C";
\if :{?out}
\o :out
COPY (SELECT * FROM null_tests ORDER BY g, statistic, d, j) TO STDOUT CSV HEADER;
\o
\endif
