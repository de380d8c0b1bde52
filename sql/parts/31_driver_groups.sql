-- Driver groups (issue 21): a driver may be several columns (dummies of a characteristic, a
-- basis of a nonlinear driver, an interaction); importance and a Wald test per group.  The
-- model carries its groups and the scale of its variables at the end of exlink.driver_model.

CREATE TYPE @extschema@.driver_group AS (
    name text,
    columns text[],
    lmg float8,
    lmg_share float8,
    relative_weight float8,
    relative_weight_share float8,
    rank integer,
    f float8,
    df1 float8,
    df2 float8,
    p_value float8
);
COMMENT ON TYPE @extschema@.driver_group IS
    'One group of driver columns of a key-driver model: its name and columns; LMG over groups (exact Shapley value of R² with the groups as players) and its share of R² (%); relative weight (the sum of its columns'' Johnson weights) and share (%); rank by group LMG; Wald F that all its betas are zero on the model''s covariance of the betas, with df1 (its columns) and df2 (n - k - 1 for independent rows; CR2: the HTZ test''s nu - df1 + 1, as clubSandwich::Wald_test(test = "HTZ"); CR1: G - 1), and p.';

ALTER TYPE @extschema@.driver_model
    ADD ATTRIBUTE groups @extschema@.driver_group[],
    ADD ATTRIBUTE means float8[],
    ADD ATTRIBUTE sds float8[];
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests (the smallest of the drivers'' df), the inference used, the covariance matrix of the standardized betas; the driver groups (NULL unless groups were given), and the means and sample standard deviations of the outcome then the drivers (NULL when suppressed).';

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[]) IS
    'Aggregate support: add a row and its member to a state carrying driver names, the inference asked for and the groups of the call (a constant, read once).';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.driver_weights_grouped_finalfn(internal) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_grouped_finalfn';
COMMENT ON FUNCTION @extschema@.driver_weights_grouped_finalfn(internal) IS
    'Aggregate support: fit the key-driver model of a moments state with the driver groups it carries (those of the aggregate call).';

CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text, groups text[]) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_grouped_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    -- SAFE: the transition function puts groups (a constant) in the state, which carries it
    -- through combine and serialization to a parallel plan's finalize step.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text, text[]) IS
    'Guarded key-driver analysis with driver groups: groups (a constant array, one group name per driver column) gives each group its LMG over groups, relative weight and Wald F test (see exlink.driver_groups); the per-column figures stay in drivers.';

CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[], inference text, groups text[]) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[], text, text[]) IS
    'Key-driver analysis of a moments value with driver names, the inference asked for and driver groups (one group name per driver; see exlink.driver_groups).';

CREATE FUNCTION @extschema@.driver_groups(m @extschema@.driver_model)
    RETURNS TABLE (ordinal integer, name text, columns text[], lmg float8, lmg_share float8,
                   relative_weight float8, relative_weight_share float8, rank integer,
                   f float8, df1 float8, df2 float8, p_value float8,
                   n bigint, members bigint, r2 float8, suppressed boolean, status text,
                   clusters bigint, inference text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT g.ordinal::integer, g.name, g.columns, g.lmg, g.lmg_share, g.relative_weight,
           g.relative_weight_share, g.rank, g.f, g.df1, g.df2, g.p_value,
           ($1).n, ($1).members, ($1).r2, ($1).suppressed, ($1).status, ($1).clusters, ($1).inference
      FROM pg_catalog.unnest(($1).groups) WITH ORDINALITY
           AS g(name, columns, lmg, lmg_share, relative_weight, relative_weight_share, rank,
                f, df1, df2, p_value, ordinal)
     ORDER BY g.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.driver_groups(@extschema@.driver_model) IS
    'One plain row per driver group of a key-driver model fitted with groups (in order of first appearance), repeating the model''s n, members, R², suppressed, status, clusters and inference; no rows for a model without groups.';

-- The columns of a group, built in SQL (src/driver_basis.c), to be concatenated into the drivers
-- array: ARRAY[tenure] || exlink.dummies(class, ARRAY['A','B','C'], 'A') || ...
CREATE FUNCTION @extschema@.dummies(value text, levels text[], reference text) RETURNS float8[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_dummies';
COMMENT ON FUNCTION @extschema@.dummies(text, text[], text) IS
    'Dummy columns of a categorical value: one 0/1 column per level other than the reference, in the order of levels (R''s contr.treatment); a value not among the levels is an error (22023), NULL gives NULL (the row is skipped).';
CREATE FUNCTION @extschema@.piecewise_linear(x float8, knots float8[]) RETURNS float8[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_piecewise_linear';
COMMENT ON FUNCTION @extschema@.piecewise_linear(float8, float8[]) IS
    'Piecewise-linear basis of x with the given knots (strictly increasing): x, (x - k1)+, ..., (x - km)+; the coefficients are the slope below k1 and the change of slope at each knot.';

-- What a model's slopes say in the drivers' units (src/driver_contrast.c): a weighted sum of raw
-- slopes with its interval, from the released model alone (suppressed model: NULLs).
CREATE FUNCTION @extschema@.driver_contrast(model @extschema@.driver_model, columns text[], weights float8[],
                                            level float8 DEFAULT 0.95,
                                            OUT estimate float8, OUT se float8, OUT t float8, OUT df float8,
                                            OUT p_value float8, OUT ci_low float8, OUT ci_high float8)
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_contrast';
COMMENT ON FUNCTION @extschema@.driver_contrast(@extschema@.driver_model, text[], float8[], float8) IS
    'A linear combination sum(weights[i] * b(columns[i])) of a key-driver model''s raw slopes (outcome units per unit of each column: beta * sd(outcome) / sd(column)) with its standard error from the model''s covariance, t and p on the model''s df, and interval at level; NULL figures for a suppressed model or without inference.';

-- The response curve of a driver entered as a piecewise-linear basis (exlink.piecewise_linear):
-- columns are the basis's columns in order (x, (x - k1)+, ...).
CREATE FUNCTION @extschema@.response_curve(model @extschema@.driver_model, columns text[], grid float8[],
                                           knots float8[], level float8 DEFAULT 0.95)
    RETURNS TABLE (x float8, predicted float8, effect float8, effect_low float8, effect_high float8,
                   slope float8, slope_low float8, slope_high float8, slope_p float8, flat_from float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    WITH basis_means AS (
        SELECT pg_catalog.array_agg(COALESCE(($1).means[d.ordinal + 1], 0) ORDER BY c.i) AS mb
          FROM pg_catalog.unnest($2) WITH ORDINALITY AS c(name, i)
          LEFT JOIN @extschema@.drivers($1) d ON d.name OPERATOR(pg_catalog.=) c.name),
    points AS (
        SELECT g.x, @extschema@.piecewise_linear(g.x, $4) AS b,
               ARRAY[1::float8] OPERATOR(pg_catalog.||)
                   ARRAY(SELECT CASE WHEN g.x OPERATOR(pg_catalog.>=) k.k THEN 1::float8 ELSE 0::float8 END
                           FROM pg_catalog.unnest($4) WITH ORDINALITY AS k(k, i) ORDER BY k.i) AS db
          FROM (SELECT DISTINCT u.x FROM pg_catalog.unnest($3) AS u(x) WHERE u.x IS NOT NULL) g),
    figures AS (
        SELECT p.x, e.estimate AS effect, e.ci_low AS effect_low, e.ci_high AS effect_high,
               s.estimate AS slope, s.ci_low AS slope_low, s.ci_high AS slope_high, s.p_value AS slope_p
          FROM points p CROSS JOIN basis_means bm,
               LATERAL @extschema@.driver_contrast($1, $2,
                   ARRAY(SELECT b.v OPERATOR(pg_catalog.-) bm.mb[b.i]
                           FROM pg_catalog.unnest(p.b) WITH ORDINALITY AS b(v, i) ORDER BY b.i), $5) e,
               LATERAL @extschema@.driver_contrast($1, $2, p.db, $5) s),
    flat AS (
        SELECT f.*, pg_catalog.bool_and(f.slope_low IS NOT NULL AND f.slope_low OPERATOR(pg_catalog.<=) 0)
                        OVER (ORDER BY f.x DESC) AS flat_after
          FROM figures f)
    SELECT f.x, ($1).means[1] OPERATOR(pg_catalog.+) f.effect, f.effect, f.effect_low, f.effect_high,
           f.slope, f.slope_low, f.slope_high, f.slope_p,
           pg_catalog.min(f.x) FILTER (WHERE f.flat_after) OVER ()
      FROM flat f
     ORDER BY f.x
    $$;
COMMENT ON FUNCTION @extschema@.response_curve(@extschema@.driver_model, text[], float8[], float8[], float8) IS
    'The response curve of a driver entered as exlink.piecewise_linear(x, knots) (columns: the basis columns in order), one row per grid point: predicted outcome with the other drivers at their means, its effect (predicted minus the mean outcome) with an interval from the slopes'' covariance, the slope from x on with its interval and p, and flat_from: the smallest grid point from which every slope interval reaches zero or below (where more stops paying; NULL if none).';

-- A driver's slope per segment from one model with interaction columns (driver x segment dummy).
CREATE FUNCTION @extschema@.segment_effects(model @extschema@.driver_model, driver text, segments text[],
                                            interactions text[], level float8 DEFAULT 0.95)
    RETURNS TABLE (segment text, slope float8, slope_low float8, slope_high float8,
                   difference float8, difference_low float8, difference_high float8, difference_p float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT s.segment, e.estimate, e.ci_low, e.ci_high,
           CASE WHEN s.i OPERATOR(pg_catalog.>) 1 THEN d.estimate END,
           CASE WHEN s.i OPERATOR(pg_catalog.>) 1 THEN d.ci_low END,
           CASE WHEN s.i OPERATOR(pg_catalog.>) 1 THEN d.ci_high END,
           CASE WHEN s.i OPERATOR(pg_catalog.>) 1 THEN d.p_value END
      FROM pg_catalog.unnest($3) WITH ORDINALITY AS s(segment, i)
      CROSS JOIN LATERAL @extschema@.driver_contrast($1,
               CASE WHEN s.i OPERATOR(pg_catalog.=) 1 THEN ARRAY[$2] ELSE ARRAY[$2, $4[s.i OPERATOR(pg_catalog.-) 1]] END,
               CASE WHEN s.i OPERATOR(pg_catalog.=) 1 THEN ARRAY[1::float8] ELSE ARRAY[1::float8, 1::float8] END, $5) e
      CROSS JOIN LATERAL @extschema@.driver_contrast($1,
               ARRAY[CASE WHEN s.i OPERATOR(pg_catalog.=) 1 THEN $2 ELSE $4[s.i OPERATOR(pg_catalog.-) 1] END],
               ARRAY[CASE WHEN s.i OPERATOR(pg_catalog.=) 1 THEN 0::float8 ELSE 1::float8 END], $5) d
     ORDER BY s.i
    $$;
COMMENT ON FUNCTION @extschema@.segment_effects(@extschema@.driver_model, text, text[], text[], float8) IS
    'A driver''s raw slope in each segment from one model with interaction columns: segments[1] is the reference (the driver''s own column), segments[i] adds interactions[i - 1] (driver x segment dummy); for the others, the difference from the reference with its interval and p (the clustered test of the difference when the model is clustered).';
CREATE FUNCTION @extschema@.natural_spline(x float8, knots float8[], boundary float8[], derivative integer DEFAULT 0) RETURNS float8[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_natural_spline';
COMMENT ON FUNCTION @extschema@.natural_spline(float8, float8[], float8[], integer) IS
    'Natural cubic spline basis of x, the columns of R''s splines::ns(x, knots = knots, Boundary.knots = boundary) (interior knots strictly increasing inside the two boundary knots; linear beyond them), or its first or second derivative in x; knots + 1 columns.';

-- The response curve of a driver entered as exlink.natural_spline(x, knots, boundary).
CREATE FUNCTION @extschema@.response_curve(model @extschema@.driver_model, columns text[], grid float8[],
                                           knots float8[], boundary float8[], level float8 DEFAULT 0.95)
    RETURNS TABLE (x float8, predicted float8, effect float8, effect_low float8, effect_high float8,
                   slope float8, slope_low float8, slope_high float8, slope_p float8, flat_from float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    WITH basis_means AS (
        SELECT pg_catalog.array_agg(COALESCE(($1).means[d.ordinal + 1], 0) ORDER BY c.i) AS mb
          FROM pg_catalog.unnest($2) WITH ORDINALITY AS c(name, i)
          LEFT JOIN @extschema@.drivers($1) d ON d.name OPERATOR(pg_catalog.=) c.name),
    points AS (
        SELECT g.x, @extschema@.natural_spline(g.x, $4, $5) AS b,
               @extschema@.natural_spline(g.x, $4, $5, 1) AS db
          FROM (SELECT DISTINCT u.x FROM pg_catalog.unnest($3) AS u(x) WHERE u.x IS NOT NULL) g),
    figures AS (
        SELECT p.x, e.estimate AS effect, e.ci_low AS effect_low, e.ci_high AS effect_high,
               s.estimate AS slope, s.ci_low AS slope_low, s.ci_high AS slope_high, s.p_value AS slope_p
          FROM points p CROSS JOIN basis_means bm,
               LATERAL @extschema@.driver_contrast($1, $2,
                   ARRAY(SELECT b.v OPERATOR(pg_catalog.-) bm.mb[b.i]
                           FROM pg_catalog.unnest(p.b) WITH ORDINALITY AS b(v, i) ORDER BY b.i), $6) e,
               LATERAL @extschema@.driver_contrast($1, $2, p.db, $6) s),
    flat AS (
        SELECT f.*, pg_catalog.bool_and(f.slope_low IS NOT NULL AND f.slope_low OPERATOR(pg_catalog.<=) 0)
                        OVER (ORDER BY f.x DESC) AS flat_after
          FROM figures f)
    SELECT f.x, ($1).means[1] OPERATOR(pg_catalog.+) f.effect, f.effect, f.effect_low, f.effect_high,
           f.slope, f.slope_low, f.slope_high, f.slope_p,
           pg_catalog.min(f.x) FILTER (WHERE f.flat_after) OVER ()
      FROM flat f
     ORDER BY f.x
    $$;
COMMENT ON FUNCTION @extschema@.response_curve(@extschema@.driver_model, text[], float8[], float8[], float8[], float8) IS
    'The response curve of a driver entered as exlink.natural_spline(x, knots, boundary) (columns: the basis columns in order): the same rows as for a piecewise-linear driver, the slope being the derivative of the spline.';
