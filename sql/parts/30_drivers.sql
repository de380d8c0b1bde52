-- Key-driver analysis: exlink.driver_weights (aggregate over rows, or a function of a moments
-- value) returning exlink.driver_model, and exlink.drivers() for one plain row per driver.

CREATE TYPE @extschema@.driver AS (
    name text,
    beta float8,
    beta_se float8,
    t float8,
    p_value float8,
    pratt float8,
    relative_weight float8,
    relative_weight_share float8,
    lmg float8,
    lmg_share float8,
    rank integer,
    ci_low float8,
    ci_high float8,
    df float8,
    b float8,
    b_se float8,
    b_ci_low float8,
    b_ci_high float8,
    relative_weight_share_low float8,
    relative_weight_share_high float8,
    lmg_share_low float8,
    lmg_share_high float8
);
COMMENT ON TYPE @extschema@.driver IS
    'One driver of a key-driver model: standardized beta, its standard error, t and p; Pratt measure; Johnson relative weight and its share of R² (%); Shapley/LMG value and share (%); rank by LMG (by relative weight when LMG is NULL); 95% interval of the beta; df of its t test (CR2: its own Satterthwaite df); the unstandardized slope b (outcome units per driver unit), its standard error and interval; cluster-bootstrap percentile intervals of the relative-weight and LMG shares (driver_weights with bootstrap draws, else NULL).';

CREATE TYPE @extschema@.driver_model AS (
    n bigint,
    skipped bigint,
    members bigint,
    r2 float8,
    adj_r2 float8,
    condition_number float8,
    suppressed boolean,
    status text,
    drivers @extschema@.driver[],
    clusters bigint,
    df float8,
    inference text,
    vcov float8[]
);
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests (the smallest of the drivers'' df), the inference used, and the covariance matrix of the standardized betas.';

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) IS 'Aggregate support: add a row and its member to a state carrying driver names and the inference asked for.';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.driver_weights_finalfn(internal) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_finalfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[]) IS 'Aggregate support: add a row (outcome, drivers) to a moments state.';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text) IS 'Aggregate support: add a row and its member to a moments state.';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text[]) IS 'Aggregate support: add a row to a moments state carrying driver names.';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[]) IS 'Aggregate support: add a row and its member to a moments state carrying driver names.';
COMMENT ON FUNCTION @extschema@.driver_weights_finalfn(internal) IS 'Aggregate support: fit the key-driver model of a moments state (guarded when members were given).';

CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[]) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], names text[]) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[]) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text) IS
    'Guarded key-driver analysis with driver names (NULL for x1..xq) and the inference asked for: ''cluster'' (by member: CR2 with Satterthwaite df, the default of the member forms), ''cr1'' (CR1 on G - 1 df) or ''independent''.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[]) IS
    'Key-driver analysis of outcome on drivers (names x1..xq): R², betas, Johnson relative weights, exact Shapley/LMG; rows with NULL, NaN or Infinity skipped and counted.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text) IS
    'Guarded key-driver analysis with cluster-robust (CR2 by member, Satterthwaite df) standard errors: all figures NULL and suppressed = true unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text[]) IS
    'Key-driver analysis of outcome on drivers, with driver names (one per driver, the same on every row).';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[]) IS
    'Guarded key-driver analysis with driver names.';

CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[]) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[], inference text) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[], text) IS
    'Key-driver analysis of a moments value with driver names (NULL for x1..xq) and the inference asked for (''cluster'', ''cr1'' or ''independent''; a value carries no per-member moments, so clustered inference is CR1).';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments) IS
    'Key-driver analysis of a moments value (a published cell or a merge of cells): variable 1 is the outcome, the others the drivers x1..xq; cluster-robust (CR1) when it carries a cluster summary; suppressed when its member lower bound is below exlink.min_group_size.';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[]) IS
    'Key-driver analysis of a moments value with driver names (variable 1 is the outcome).';

CREATE FUNCTION @extschema@.drivers(m @extschema@.driver_model)
    RETURNS TABLE (ordinal integer, name text, beta float8, beta_se float8, t float8, p_value float8,
                   pratt float8, relative_weight float8, relative_weight_share float8,
                   lmg float8, lmg_share float8, rank integer,
                   n bigint, members bigint, r2 float8, adj_r2 float8, condition_number float8,
                   suppressed boolean, status text,
                   ci_low float8, ci_high float8, clusters bigint, df float8, inference text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT d.ordinal::integer, d.name, d.beta, d.beta_se, d.t, d.p_value, d.pratt,
           d.relative_weight, d.relative_weight_share, d.lmg, d.lmg_share, d.rank,
           ($1).n, ($1).members, ($1).r2, ($1).adj_r2, ($1).condition_number,
           ($1).suppressed, ($1).status,
           d.ci_low, d.ci_high, ($1).clusters, d.df, ($1).inference
      FROM pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, df, b, b_se, b_ci_low, b_ci_high,
                relative_weight_share_low, relative_weight_share_high, lmg_share_low, lmg_share_high, ordinal)
     ORDER BY d.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.drivers(@extschema@.driver_model) IS
    'One plain row per driver of a key-driver model (in input order, with ordinal), repeating the model''s n, members, R², adjusted R², condition number, suppressed and status; then the beta''s interval, clusters, the df of the driver''s t test and inference.';
