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
    'One group of driver columns of a key-driver model: its name and columns; LMG over groups (exact Shapley value of R² with the groups as players) and its share of R² (%); relative weight (the sum of its columns'' Johnson weights) and share (%); rank by group LMG; Wald F that all its betas are zero on the model''s covariance of the betas, with df1 (its columns) and df2 (n - k - 1 for independent rows, G - 1 clustered), and p.';

ALTER TYPE @extschema@.driver_model
    ADD ATTRIBUTE groups @extschema@.driver_group[],
    ADD ATTRIBUTE means float8[],
    ADD ATTRIBUTE sds float8[];
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests (the smallest of the drivers'' df), the inference used, the covariance matrix of the standardized betas; the driver groups (NULL unless groups were given), and the means and sample standard deviations of the outcome then the drivers (NULL when suppressed).';

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[]) IS
    'Aggregate support: add a row and its member to a state carrying driver names and the inference asked for (the groups are read by the final function).';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.driver_weights_grouped_finalfn(internal) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_grouped_finalfn';
COMMENT ON FUNCTION @extschema@.driver_weights_grouped_finalfn(internal) IS
    'Aggregate support: fit the key-driver model of a moments state with the driver groups of the aggregate call (a constant array).';

CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text, groups text[]) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_grouped_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
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
