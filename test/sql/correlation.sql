-- exlink.linked_correlation and exlink.rank_correlation: behaviour (skipping, degeneracies and
-- their status, the guard, the moments-cell form, merging, errors, extreme values, parallel).
SET extra_float_digits = 0;
CREATE FUNCTION fig(c exlink.correlation) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT format('n=%s members=%s r=%s t=%s df=%s p=%s ci=[%s, %s] suppressed=%s status=%s skipped=%s level=%s',
                        c.n, c.members, round(c.r::numeric, 6), round(c.t::numeric, 4), round(c.df::numeric, 6)::float8,
                        round(c.p_value::numeric, 6), round(c.ci_low::numeric, 6), round(c.ci_high::numeric, 6),
                        c.suppressed, c.status, c.skipped, c.level) $$;
CREATE FUNCTION same(a float8, b float8, tol float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= tol * greatest(abs(a), abs(b)), a IS NULL AND b IS NULL) $$;
CREATE FUNCTION same(a exlink.correlation, b exlink.correlation, tol float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT a.n IS NOT DISTINCT FROM b.n AND a.members IS NOT DISTINCT FROM b.members
                 AND same(a.r, b.r, tol) AND same(a.t, b.t, tol) AND same(a.df, b.df, tol)
                 AND same(a.p_value, b.p_value, tol) AND same(a.ci_low, b.ci_low, tol)
                 AND same(a.ci_high, b.ci_high, tol) AND a.suppressed = b.suppressed
                 AND a.status = b.status AND a.skipped IS NOT DISTINCT FROM b.skipped $$;

CREATE TABLE corr_rows (g int, x float8, y float8, member text);
INSERT INTO corr_rows SELECT i % 3, i, (i * 7) % 11 + 0.5 * i, 'e' || (i % 8) FROM generate_series(1, 60) i;

-- Against core corr(); rows with NULL, NaN or +-Infinity in either value are skipped and counted.
SELECT fig(exlink.linked_correlation(x, y)), round(corr(x, y)::numeric, 6) AS core_corr FROM corr_rows;
SELECT fig(exlink.linked_correlation(x, y))
  FROM (SELECT x, y FROM corr_rows
        UNION ALL VALUES (NULL::float8, 1::float8), (1, NULL), ('NaN', 1), (1, 'NaN'), ('Infinity', 1), (1, '-Infinity')) t(x, y);
SELECT fig(exlink.rank_correlation(x, y))
  FROM (SELECT x, y FROM corr_rows
        UNION ALL VALUES (NULL::float8, 1::float8), (1, NULL), ('NaN', 1), (1, 'NaN'), ('Infinity', 1), (1, '-Infinity')) t(x, y);

-- Degeneracies: NULL figures and a status, never an error.
SELECT 'no rows' AS "case", fig(exlink.linked_correlation(x, y)) FROM corr_rows WHERE false
UNION ALL SELECT 'n = 1', fig(exlink.linked_correlation(x, y)) FROM corr_rows WHERE x = 1
UNION ALL SELECT 'n = 2', fig(exlink.linked_correlation(x, y)) FROM corr_rows WHERE x <= 2
UNION ALL SELECT 'n = 3', fig(exlink.linked_correlation(x, y)) FROM corr_rows WHERE x <= 3
UNION ALL SELECT 'all skipped', fig(exlink.linked_correlation(x, y)) FROM (VALUES (NULL::float8, 1::float8), ('NaN', 2)) t(x, y)
UNION ALL SELECT 'constant ex', fig(exlink.linked_correlation(x, 4)) FROM corr_rows
UNION ALL SELECT 'constant cx', fig(exlink.linked_correlation(0.1, y)) FROM corr_rows
UNION ALL SELECT 'r = 1', fig(exlink.linked_correlation(x, x)) FROM corr_rows
UNION ALL SELECT 'r = -1 (affine)', fig(exlink.linked_correlation(0.1 * x, 3 - 0.7 * x)) FROM corr_rows;
SELECT 'no rows' AS "case", fig(exlink.rank_correlation(x, y)) FROM corr_rows WHERE false
UNION ALL SELECT 'n = 2', fig(exlink.rank_correlation(x, y)) FROM corr_rows WHERE x <= 2
UNION ALL SELECT 'n = 3', fig(exlink.rank_correlation(x, y)) FROM corr_rows WHERE x <= 3
UNION ALL SELECT 'constant ex', fig(exlink.rank_correlation(x, 4)) FROM corr_rows
UNION ALL SELECT 'monotone, not linear', fig(exlink.rank_correlation(x, exp(x / 10))) FROM corr_rows
UNION ALL SELECT 'all ties but one', fig(exlink.rank_correlation(x, (x > 59)::int)) FROM corr_rows;
-- Groups: one degenerate group does not disturb the others.
SELECT g, fig(exlink.linked_correlation(x, CASE WHEN g = 1 THEN 5 ELSE y END))
  FROM corr_rows GROUP BY g ORDER BY g;

-- Confidence level: a wider level, a wider interval; r, t and p unchanged.
SELECT level, fig(exlink.linked_correlation(x, y, member, level))
  FROM corr_rows, (VALUES (0.5), (0.95), (0.999)) l(level) GROUP BY level ORDER BY level;
SELECT fig(exlink.rank_correlation(x, y, member, 0.8)) FROM corr_rows;

-- The guard at k = 5: 4 members suppressed (members and n hidden too), 5 and 6 released.
SELECT m AS distinct_members, fig(exlink.linked_correlation(x, y, member)) AS pearson,
       fig(exlink.rank_correlation(x, y, member)) AS spearman
  FROM corr_rows, generate_series(4, 6) m
 WHERE substr(member, 2)::int < m GROUP BY m ORDER BY m;
-- NULL and empty members are skipped rows, not members; one member with many rows is one.
SELECT fig(exlink.linked_correlation(x, y, member))
  FROM (SELECT x, y, CASE WHEN x <= 20 THEN member WHEN x <= 40 THEN NULL ELSE '' END FROM corr_rows) t(x, y, member);
SELECT fig(exlink.linked_correlation(i, i % 7, 'agent')), fig(exlink.rank_correlation(i, i % 7, 'agent'))
  FROM generate_series(1, 1000) i;
-- No rows at all in a guarded form: suppressed.
SELECT fig(exlink.linked_correlation(x, y, member)), fig(exlink.rank_correlation(x, y, member))
  FROM corr_rows WHERE false;
-- The threshold follows exlink.min_group_size (superuser only).
SET exlink.min_group_size = 9;
SELECT (exlink.linked_correlation(x, y, member)).suppressed AS at_k9 FROM corr_rows;
RESET exlink.min_group_size;

-- The moments-cell form equals the row form; a cell below k is suppressed, an unguarded value
-- (members unknown) is not.  (A guarded cell carries its cluster summary only on the
-- superuser's opt-in, exlink.cluster_summary.)
SET exlink.cluster_summary = on;
SELECT same(exlink.linked_correlation(exlink.moments(ARRAY[x, y]), 1, 2), exlink.linked_correlation(x, y), 1e-12) AS cell_equals_rows,
       same(exlink.linked_correlation(exlink.moments(ARRAY[y, x, x * x]), 2, 1), exlink.linked_correlation(x, y), 1e-12) AS any_order,
       same(exlink.linked_correlation(exlink.moments(ARRAY[x, y], member), 1, 2, 0.9),
            exlink.linked_correlation(x, y, member, 0.9, 'cr1'), 1e-12)
       AND (exlink.linked_correlation(exlink.moments(ARRAY[x, y], member), 1, 2, 0.9)).inference
           = 'cluster-robust CR1 (merged cells carry no per-member moments)' AS guarded_cell_equals_rows_cr1
  FROM corr_rows;
SELECT fig(exlink.linked_correlation('{"p":2,"n":30,"skipped":0,"members":4,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments, 1, 2)) AS below_k,
       fig(exlink.linked_correlation('{"p":2,"n":30,"skipped":0,"members":5,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments, 1, 2)) AS at_k,
       fig(exlink.linked_correlation('{"p":2,"n":30,"skipped":2,"members":null,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments, 1, 2)) AS unknown;
SELECT fig(exlink.linked_correlation('{"p":2,"n":30,"skipped":0,"members":null,"mean":[1,2],"comoment":[2,1,3]}'::exlink.moments, 2, 2)) AS same_variable;
-- Merging cells (per g) equals correlating all rows.
SELECT same(exlink.linked_correlation(exlink.merge(m), 1, 2), (SELECT exlink.linked_correlation(x, y) FROM corr_rows), 1e-12)
       AS merged_cells_equal_all_rows
  FROM (SELECT g, exlink.moments(ARRAY[x, y]) AS m FROM corr_rows GROUP BY g) cells;

-- Misuse: 22023 (index out of range, bad level, levels that differ within a group).
\set VERBOSITY sqlstate
SELECT exlink.linked_correlation(exlink.moments(ARRAY[x, y]), 1, 3) FROM corr_rows;
SELECT exlink.linked_correlation(exlink.moments(ARRAY[x, y]), 0, 1) FROM corr_rows;
SELECT exlink.linked_correlation(exlink.moments(ARRAY[x, y]), 1, 2, 1.0) FROM corr_rows;
SELECT exlink.linked_correlation(x, y, member, 0) FROM corr_rows;
SELECT exlink.linked_correlation(x, y, member, 'NaN') FROM corr_rows;
SELECT exlink.linked_correlation(x, y, member, NULL) FROM corr_rows;
SELECT exlink.rank_correlation(x, y, member, 1.5) FROM corr_rows;
SELECT exlink.linked_correlation(x, y, member, CASE WHEN x < 30 THEN 0.9 ELSE 0.95 END) FROM corr_rows;
\set VERBOSITY terse
SELECT exlink.linked_correlation(exlink.moments(ARRAY[x, y]), 1, 3) FROM corr_rows;
SELECT exlink.rank_correlation(x, y, member, 1.5) FROM corr_rows;
-- A NULL moments value gives NULL (STRICT).
SELECT exlink.linked_correlation(NULL::exlink.moments, 1, 2) IS NULL AS null_cell;

-- Extreme values: an overflow status or exact figures, never a crash or an error.
SELECT fig(exlink.linked_correlation(x, y)) AS overflow
  FROM (VALUES (1e300::float8, 1::float8), (-1e300, 2), (1e300, 3)) t(x, y);
SELECT fig(exlink.linked_correlation(x * 1e150, y * 1e-150)) AS huge_and_tiny,
       fig(exlink.linked_correlation(x, y)) AS plain
  FROM corr_rows;
SELECT fig(exlink.rank_correlation(x, y)) AS rank_extremes
  FROM (VALUES (1e308::float8, 5e-324::float8), (-1e308, 2), (0, 3), (1.7e308, -1e308)) t(x, y);
SELECT fig(exlink.linked_correlation(x, y)) AS near_constant
  FROM (SELECT 1 + i * 1e-15, i FROM generate_series(1, 10) i) t(x, y);

-- Window use: Pearson runs over a growing frame; Spearman ranks in place, so it refuses.
SELECT x, round((exlink.linked_correlation(x, y) OVER (ORDER BY x)).r::numeric, 6) AS running_r
  FROM corr_rows WHERE x <= 5 ORDER BY x;
SELECT (exlink.rank_correlation(x, y) OVER ()).r FROM corr_rows;

-- Memory: the Pearson state does not grow with n (hash aggregate memory is the same at 1 000
-- and 100 000 rows per group); the Spearman state holds the rows and does.
CREATE FUNCTION hashagg_kb(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF l ~ 'Memory Usage: \d+kB' THEN
            RETURN substring(l FROM 'Memory Usage: (\d+)kB')::int;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
SET enable_sort = off; SET max_parallel_workers_per_gather = 0;
SELECT hashagg_kb('SELECT i % 10, exlink.linked_correlation(i, sin(i)) FROM generate_series(1, 10000) i GROUP BY 1')
     = hashagg_kb('SELECT i % 10, exlink.linked_correlation(i, sin(i)) FROM generate_series(1, 1000000) i GROUP BY 1')
       AS pearson_memory_independent_of_n,
       hashagg_kb('SELECT i % 10, exlink.rank_correlation(i, sin(i)) FROM generate_series(1, 10000) i GROUP BY 1') * 10
     < hashagg_kb('SELECT i % 10, exlink.rank_correlation(i, sin(i)) FROM generate_series(1, 1000000) i GROUP BY 1')
       AS spearman_memory_grows_with_n;
RESET enable_sort; RESET max_parallel_workers_per_gather;

-- Parallel plans: Partial Aggregate, and the same figures as the serial plan (1e-12 relative).
CREATE TABLE corr_big AS
SELECT (i % 7)::float8 + i * 1e-3 AS x, sqrt(i) + (i % 13) AS y, 'e' || (i % 50) AS member
  FROM generate_series(1, 200000) i;
ANALYZE corr_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT exlink.linked_correlation(x, y), exlink.linked_correlation(x, y, member) FROM corr_big;
EXPLAIN (COSTS OFF) SELECT exlink.rank_correlation(x, y), exlink.rank_correlation(x, y, member, 0.9) FROM corr_big;
CREATE TEMP TABLE par AS
SELECT exlink.linked_correlation(x, y) AS a, exlink.linked_correlation(x, y, member, 0.9) AS b,
       exlink.rank_correlation(x, y) AS c, exlink.rank_correlation(x, y, member, 0.9) AS d
  FROM corr_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT exlink.linked_correlation(x, y) AS a, exlink.linked_correlation(x, y, member, 0.9) AS b,
       exlink.rank_correlation(x, y) AS c, exlink.rank_correlation(x, y, member, 0.9) AS d
  FROM corr_big;
-- (The guarded form is clustered: its standard error is the spread of the 50 leave-one-member-out
-- atanh(r), which differ from each other by about atanh(r) / |t| (t = 17,152 here), so the
-- order in which the plans merged the members shows in t at about eps |t| relative (5.7e-11
-- measured; compared to 1000 eps (1 + |t|)), and in p, near 1e-167 on 49 df, (df + 1) times
-- more; r and the interval stay at 1e-12.)
CREATE FUNCTION same_clustered(a exlink.correlation, b exlink.correlation) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT a.n = b.n AND same(a.r, b.r, 1e-12) AND same(a.ci_low, b.ci_low, 1e-12)
                 AND same(a.ci_high, b.ci_high, 1e-12) AND same(a.df, b.df, 1e-9) AND a.status = b.status
                 AND same(a.t, b.t, 1000 * 2.2e-16 * (1 + abs(b.t)))
                 AND same(a.p_value, b.p_value, (b.df + 1) * 1000 * 2.2e-16 * (1 + abs(b.t))) $$;
SELECT same(p.a, s.a, 1e-12) AS pearson, same_clustered(p.b, s.b) AS pearson_guarded,
       same(p.c, s.c, 1e-12) AS spearman, same(p.d, s.d, 1e-12) AS spearman_guarded,
       fig(p.b) AS pearson_figures, fig(p.d) AS spearman_figures
  FROM par p, ser s;
-- The guard holds in parallel plans: 4 of the members, and all 50 under k = 51.
SET max_parallel_workers_per_gather = 2;
SELECT (exlink.linked_correlation(x, y, member)).suppressed AS pearson_suppressed,
       (exlink.rank_correlation(x, y, member)).suppressed AS spearman_suppressed
  FROM corr_big WHERE member IN ('e1', 'e2', 'e3', 'e4');
SET exlink.min_group_size = 51;
SELECT (exlink.linked_correlation(x, y, member)).suppressed AS pearson_suppressed_k51,
       (exlink.rank_correlation(x, y, member)).suppressed AS spearman_suppressed_k51
  FROM corr_big;
RESET exlink.min_group_size;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

DROP TABLE corr_rows, corr_big;
DROP FUNCTION fig(exlink.correlation), same_clustered(exlink.correlation, exlink.correlation), same(float8, float8, float8),
              same(exlink.correlation, exlink.correlation, float8), hashagg_kb(text);
