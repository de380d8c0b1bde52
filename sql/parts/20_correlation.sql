-- Correlation with inference: exlink.linked_correlation (Pearson) and exlink.rank_correlation
-- (Spearman), over rows (guarded by distinct members) or over an exlink.moments cell.

CREATE TYPE @extschema@.correlation AS (
    n bigint,
    members bigint,
    r float8,
    t float8,
    df float8,
    p_value float8,
    ci_low float8,
    ci_high float8,
    suppressed boolean,
    status text,
    skipped bigint,
    level float8,
    clusters bigint,
    inference text
);
COMMENT ON TYPE @extschema@.correlation IS
    'A correlation with inference: n, members (NULL when unknown), r, t, df, two-sided p, Fisher-z interval at level, suppressed, status (ok or why figures are NULL), rows skipped, clusters (distinct members behind cluster-robust inference, else NULL) and the inference used (cluster jackknife, cluster-robust CR1, independent rows, or unavailable: why); clustered, t = atanh(r) / se and the interval share one standard error of atanh(r), so p < 1 - level exactly when the interval excludes 0.';

-- Pearson: the state is the shared moments state (p = 2).
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
-- STABLE: the guarded forms read exlink.min_group_size.
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: add a (cx, ex) row and its member to a state, with a confidence level and the inference asked for.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: guarded Pearson correlation with the inference asked for, from a state.';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8) IS 'Aggregate support: add a (cx, ex) row to a moments state.';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text) IS 'Aggregate support: add a (cx, ex) row and its member to a moments state.';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8) IS 'Aggregate support: add a (cx, ex) row and its member to a moments state, with a confidence level.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal) IS 'Aggregate support: Pearson correlation with inference from a moments state.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text) IS 'Aggregate support: guarded Pearson correlation with inference from a moments state.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8) IS 'Aggregate support: guarded Pearson correlation with inference at a level from a moments state.';

CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text, level float8) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text, level float8, inference text) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8, text) IS
    'Guarded Pearson correlation with the interval at a level and the inference asked for: ''cluster'' (delete-one-member jackknife, the default of the member forms), ''cr1'' (CR1 linearization) or ''independent'' (rows independent).';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8) IS
    'Pearson correlation of cx and ex with t, df, two-sided p and a 95% Fisher-z interval; rows with NULL, NaN or Infinity skipped.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text) IS
    'Guarded Pearson correlation with clustered (delete-one-member jackknife of atanh r) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8) IS
    'Guarded Pearson correlation with cluster-robust inference, the interval at a confidence level in (0, 1).';

CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer, level float8)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer, level float8, inference text)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8, text) IS
    'Pearson correlation between variables i and j of a moments value, interval at a level, with the inference asked for (''cluster'' or ''cr1'': CR1 from the value''s cluster summary, a value has no per-member moments; or ''independent'').';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer) IS
    'Pearson correlation with inference between variables i and j (1-based) of a moments value (cluster-robust when it carries a cluster summary); suppressed when its member lower bound is below exlink.min_group_size.';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8) IS
    'Pearson correlation with inference between variables i and j of a moments value, interval at a confidence level in (0, 1).';

-- Spearman: the state holds the (cx, ex) pairs, their members' and clusters' hashes (32 bytes a row).
CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: add a (cx, ex) pair and its member to a rank state, with a confidence level and the inference asked for.';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: guarded Spearman correlation with the inference asked for, from a rank state.';
CREATE FUNCTION @extschema@.rank_correlation_combinefn(internal, internal) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_combinefn';
CREATE FUNCTION @extschema@.rank_correlation_serialfn(internal) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_serialfn';
CREATE FUNCTION @extschema@.rank_correlation_deserialfn(bytea, internal) RETURNS internal
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_deserialfn';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8) IS 'Aggregate support: add a (cx, ex) pair to a rank state.';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text) IS 'Aggregate support: add a (cx, ex) pair and its member to a rank state.';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8) IS 'Aggregate support: add a (cx, ex) pair and its member to a rank state, with a confidence level.';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal) IS 'Aggregate support: Spearman correlation with inference from a rank state.';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text) IS 'Aggregate support: guarded Spearman correlation with inference from a rank state.';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8) IS 'Aggregate support: guarded Spearman correlation with inference at a level from a rank state.';
COMMENT ON FUNCTION @extschema@.rank_correlation_combinefn(internal, internal) IS 'Aggregate support: concatenate two rank states.';
COMMENT ON FUNCTION @extschema@.rank_correlation_serialfn(internal) IS 'Aggregate support: serialize a rank state for parallel query.';
COMMENT ON FUNCTION @extschema@.rank_correlation_deserialfn(bytea, internal) IS 'Aggregate support: deserialize a rank state.';

CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8, member text) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8, member text, level float8) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8, member text, level float8, inference text) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8, text) IS
    'Guarded Spearman rank correlation with the interval at a level and the inference asked for: ''cluster'' (delete-one-member jackknife on the ranks, the default of the member forms), ''cr1'' (CR1 linearization) or ''independent'' (rows independent).';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8) IS
    'Spearman rank correlation (average ranks for ties) with t-approximation p and a Fisher-z interval; holds all pairs (32 bytes a row).';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text) IS
    'Guarded Spearman rank correlation with clustered (delete-one-member jackknife, on the ranks) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8) IS
    'Guarded Spearman rank correlation with cluster-robust inference, the interval at a confidence level in (0, 1).';
