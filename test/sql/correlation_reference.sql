-- exlink.linked_correlation and exlink.rank_correlation against R's cor.test (see
-- test/data/README.md): r, t and the interval to 1e-12 relative, p to 1e-10 relative.
CREATE TABLE ref_swiss (province text, fertility float8, agriculture float8, examination float8,
                        education float8, catholic float8, infant_mortality float8);
CREATE TABLE ref_mtcars (model text, mpg float8, cyl float8, disp float8, hp float8, drat float8,
                         wt float8, qsec float8, vs float8, am float8, gear float8, carb float8);
CREATE TABLE ref_edge ("case" text, i int, x float8, y float8);
CREATE TABLE ref_want (dataset text, xcol text, ycol text, method text, level float8, n bigint,
                       r float8, t float8, df float8, p_value float8, ci_low float8, ci_high float8);
\copy ref_swiss FROM 'test/data/swiss.csv' WITH (FORMAT csv, HEADER)
\copy ref_mtcars FROM 'test/data/mtcars.csv' WITH (FORMAT csv, HEADER)
\copy ref_edge FROM 'test/data/correlation_edge.csv' WITH (FORMAT csv, HEADER)
\copy ref_want FROM 'test/data/correlation_reference.csv' WITH (FORMAT csv, HEADER)
SELECT (SELECT count(*) FROM ref_swiss) AS swiss_rows, (SELECT count(*) FROM ref_mtcars) AS mtcars_rows,
       (SELECT count(*) FROM ref_edge) AS edge_rows, (SELECT count(*) FROM ref_want) AS reference_rows;

-- Long form: (dataset, row, column, value); an edge case's x and y are columns "case.x", "case.y".
CREATE TABLE ref_long AS
SELECT 'swiss' AS dataset, s.province AS row_id, kv.key AS col, kv.value::float8 AS v
  FROM ref_swiss s, jsonb_each_text(to_jsonb(s) - 'province') kv
UNION ALL
SELECT 'mtcars', m.model, kv.key, kv.value::float8
  FROM ref_mtcars m, jsonb_each_text(to_jsonb(m) - 'model') kv
UNION ALL
SELECT 'edge', e."case" || e.i, e."case" || '.x', e.x FROM ref_edge e
UNION ALL
SELECT 'edge', e."case" || e.i, e."case" || '.y', e.y FROM ref_edge e;

CREATE FUNCTION rel_ok(got float8, want float8, tol float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN want IS NULL THEN got IS NULL
                      ELSE got IS NOT NULL AND abs(got - want) <= tol * abs(want) END $$;

-- Every figure from the row aggregates: the plain form at 95%, the guarded form with a level
-- otherwise (members = rows here; Pearson's with inference => 'independent', the figures of
-- cor.test, since its default is cluster-robust), and the moments-cell form for Pearson.
CREATE TABLE ref_got AS
SELECT w.dataset, w.xcol, w.ycol, w.method, w.level,
       CASE WHEN w.method = 'pearson' AND w.level = 0.95 THEN
                (SELECT exlink.linked_correlation(a.v, b.v) FROM ref_long a JOIN ref_long b USING (dataset, row_id)
                  WHERE a.dataset = w.dataset AND a.col = xc AND b.col = yc)
            WHEN w.method = 'pearson' THEN
                (SELECT exlink.linked_correlation(a.v, b.v, a.row_id, w.level, 'independent') FROM ref_long a JOIN ref_long b USING (dataset, row_id)
                  WHERE a.dataset = w.dataset AND a.col = xc AND b.col = yc)
            WHEN w.level = 0.95 THEN
                (SELECT exlink.rank_correlation(a.v, b.v) FROM ref_long a JOIN ref_long b USING (dataset, row_id)
                  WHERE a.dataset = w.dataset AND a.col = xc AND b.col = yc)
            ELSE
                (SELECT exlink.rank_correlation(a.v, b.v, a.row_id, w.level, 'independent') FROM ref_long a JOIN ref_long b USING (dataset, row_id)
                  WHERE a.dataset = w.dataset AND a.col = xc AND b.col = yc)
       END AS c,
       CASE WHEN w.method = 'pearson' THEN
                (SELECT exlink.linked_correlation(exlink.moments(ARRAY[a.v, b.v]), 1, 2, w.level)
                   FROM ref_long a JOIN ref_long b USING (dataset, row_id)
                  WHERE a.dataset = w.dataset AND a.col = xc AND b.col = yc)
       END AS cell
  FROM ref_want w,
       LATERAL (SELECT CASE WHEN w.dataset = 'edge' THEN w.xcol || '.x' ELSE w.xcol END AS xc,
                       CASE WHEN w.dataset = 'edge' THEN w.ycol || '.y' ELSE w.ycol END AS yc) cols;

SELECT g.dataset, g.xcol, g.ycol, g.method, g.level,
       (g.c).n = w.n AS n_ok,
       rel_ok((g.c).r, w.r, 1e-12) AS r_ok,
       rel_ok((g.c).t, w.t, 1e-12) AND rel_ok((g.c).df, w.df, 0) AS t_df_ok,
       rel_ok((g.c).p_value, w.p_value, 1e-10) AS p_ok,
       rel_ok((g.c).ci_low, w.ci_low, 1e-12) AND rel_ok((g.c).ci_high, w.ci_high, 1e-12) AS ci_ok,
       (g.c).status
  FROM ref_got g JOIN ref_want w USING (dataset, xcol, ycol, method, level)
 ORDER BY g.dataset COLLATE "C", g.xcol COLLATE "C", g.ycol COLLATE "C", g.method COLLATE "C", g.level;

-- The moments-cell form gives the same figures (same tolerances).
SELECT count(*) AS pearson_cases,
       bool_and((g.cell).n = w.n AND rel_ok((g.cell).r, w.r, 1e-12) AND rel_ok((g.cell).t, w.t, 1e-12)
                AND rel_ok((g.cell).p_value, w.p_value, 1e-10)
                AND rel_ok((g.cell).ci_low, w.ci_low, 1e-12) AND rel_ok((g.cell).ci_high, w.ci_high, 1e-12)
                AND (g.cell).status = (g.c).status) AS cell_form_matches_r
  FROM ref_got g JOIN ref_want w USING (dataset, xcol, ycol, method, level)
 WHERE g.method = 'pearson';

DROP TABLE ref_swiss, ref_mtcars, ref_edge, ref_want, ref_long, ref_got;
DROP FUNCTION rel_ok(float8, float8, float8);
