-- The moments type and its aggregates: the one mergeable state every statistic reuses.

CREATE TYPE @extschema@.moments;

CREATE FUNCTION @extschema@.moments_in(cstring) RETURNS @extschema@.moments
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_in';
CREATE FUNCTION @extschema@.moments_out(@extschema@.moments) RETURNS cstring
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_out';
CREATE FUNCTION @extschema@.moments_recv(internal) RETURNS @extschema@.moments
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_recv';
CREATE FUNCTION @extschema@.moments_send(@extschema@.moments) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_send';

CREATE TYPE @extschema@.moments (
    INPUT = @extschema@.moments_in,
    OUTPUT = @extschema@.moments_out,
    RECEIVE = @extschema@.moments_recv,
    SEND = @extschema@.moments_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.moments IS
    'Sealed mergeable sufficient statistics of a float8 vector: n, means, co-moments, a lower bound on distinct members (never member hashes) and, when made with members from at most 16 variables, a fixed-size cluster summary for cluster-robust inference.';
COMMENT ON FUNCTION @extschema@.moments_in(cstring) IS 'Text input of exlink.moments (validated).';
COMMENT ON FUNCTION @extschema@.moments_out(@extschema@.moments) IS 'Text output of exlink.moments (JSON-compatible, exact).';
COMMENT ON FUNCTION @extschema@.moments_recv(internal) IS 'Binary input of exlink.moments (validated).';
COMMENT ON FUNCTION @extschema@.moments_send(@extschema@.moments) IS 'Binary output of exlink.moments.';

-- Support functions shared by every aggregate whose state is the internal moments state.
CREATE FUNCTION @extschema@.moments_combinefn(internal, internal) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_combinefn';
CREATE FUNCTION @extschema@.moments_serialfn(internal) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_serialfn';
CREATE FUNCTION @extschema@.moments_deserialfn(bytea, internal) RETURNS internal
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_deserialfn';
COMMENT ON FUNCTION @extschema@.moments_combinefn(internal, internal) IS 'Aggregate support: pairwise merge of two moments states.';
COMMENT ON FUNCTION @extschema@.moments_serialfn(internal) IS 'Aggregate support: serialize a moments state for parallel query.';
COMMENT ON FUNCTION @extschema@.moments_deserialfn(bytea, internal) IS 'Aggregate support: deserialize a moments state.';

CREATE FUNCTION @extschema@.moments_transfn(internal, float8[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_transfn';
CREATE FUNCTION @extschema@.moments_transfn(internal, float8[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_transfn';
CREATE FUNCTION @extschema@.moments_transfn(internal, float8[], text, integer) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_transfn';
-- STABLE: the guarded forms read exlink.min_group_size.
CREATE FUNCTION @extschema@.moments_finalfn(internal) RETURNS @extschema@.moments
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_finalfn';
COMMENT ON FUNCTION @extschema@.moments_transfn(internal, float8[]) IS 'Aggregate support: add a row to a moments state.';
COMMENT ON FUNCTION @extschema@.moments_transfn(internal, float8[], text) IS 'Aggregate support: add a row and its member to a moments state.';
COMMENT ON FUNCTION @extschema@.moments_transfn(internal, float8[], text, integer) IS 'Aggregate support: add a row and its member to a moments state.';
COMMENT ON FUNCTION @extschema@.moments_finalfn(internal) IS 'Aggregate support: seal a moments state into an exlink.moments value (NULL below k in the guarded forms).';

CREATE AGGREGATE @extschema@.moments(float8[]) (
    SFUNC = @extschema@.moments_transfn, STYPE = internal,
    FINALFUNC = @extschema@.moments_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.moments(float8[], text) (
    SFUNC = @extschema@.moments_transfn, STYPE = internal,
    FINALFUNC = @extschema@.moments_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.moments(float8[], text, integer) (
    SFUNC = @extschema@.moments_transfn, STYPE = internal,
    FINALFUNC = @extschema@.moments_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.moments(float8[]) IS
    'Moments (n, means, co-moments) of a vector of up to 64 values; rows with NULL, NaN or Infinity are skipped and counted.';
COMMENT ON AGGREGATE @extschema@.moments(float8[], text) IS
    'Guarded moments: NULL unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
COMMENT ON AGGREGATE @extschema@.moments(float8[], text, integer) IS
    'Guarded moments with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed.';

CREATE FUNCTION @extschema@.merge_transfn(internal, @extschema@.moments) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_merge_transfn';
COMMENT ON FUNCTION @extschema@.merge_transfn(internal, @extschema@.moments) IS 'Aggregate support: merge an exlink.moments value into a state.';

CREATE AGGREGATE @extschema@.merge(@extschema@.moments) (
    SFUNC = @extschema@.merge_transfn, STYPE = internal,
    FINALFUNC = @extschema@.moments_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.merge(@extschema@.moments) IS
    'Union of exlink.moments values (exact pairwise merge); members is the largest lower bound among the inputs; cluster summaries add up (exact when no member is in two inputs).';

CREATE FUNCTION @extschema@.n(@extschema@.moments) RETURNS bigint
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_n';
CREATE FUNCTION @extschema@.members(@extschema@.moments) RETURNS bigint
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_members';
CREATE FUNCTION @extschema@.means(@extschema@.moments) RETURNS float8[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_means';
COMMENT ON FUNCTION @extschema@.n(@extschema@.moments) IS 'Number of complete rows behind an exlink.moments value.';
COMMENT ON FUNCTION @extschema@.members(@extschema@.moments) IS 'Lower bound on the distinct members behind an exlink.moments value (NULL when unknown).';
COMMENT ON FUNCTION @extschema@.means(@extschema@.moments) IS 'Means of the variables of an exlink.moments value (NULL when n = 0).';

CREATE FUNCTION @extschema@.subset(@extschema@.moments, integer[]) RETURNS @extschema@.moments
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_moments_subset';
COMMENT ON FUNCTION @extschema@.subset(@extschema@.moments, integer[]) IS
    'The moments of chosen variables of an exlink.moments value (1-based indexes, in the given order), e.g. an outcome and drivers out of a published cell.';
