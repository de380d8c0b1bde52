-- Guard primitives: members_at_least (for HAVING), guarded_avg, guarded_count and nps.
-- Each counts distinct members (never rows); NULL or empty members never count; every figure is
-- NULL below max(k, exlink.min_group_size) distinct members.

CREATE FUNCTION @extschema@.members_at_least_transfn(internal, text, integer) RETURNS internal
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_members_at_least_transfn';
CREATE FUNCTION @extschema@.members_at_least_combinefn(internal, internal) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_members_at_least_combinefn';
CREATE FUNCTION @extschema@.members_at_least_serialfn(internal) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_members_at_least_serialfn';
CREATE FUNCTION @extschema@.members_at_least_deserialfn(bytea, internal) RETURNS internal
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_members_at_least_deserialfn';
CREATE FUNCTION @extschema@.members_at_least_finalfn(internal) RETURNS boolean
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_members_at_least_finalfn';
COMMENT ON FUNCTION @extschema@.members_at_least_transfn(internal, text, integer) IS 'Aggregate support: add a member to a capped member set (no-op once k are proven).';
COMMENT ON FUNCTION @extschema@.members_at_least_combinefn(internal, internal) IS 'Aggregate support: union of two capped member sets.';
COMMENT ON FUNCTION @extschema@.members_at_least_serialfn(internal) IS 'Aggregate support: serialize a capped member set for parallel query.';
COMMENT ON FUNCTION @extschema@.members_at_least_deserialfn(bytea, internal) IS 'Aggregate support: deserialize a capped member set.';
COMMENT ON FUNCTION @extschema@.members_at_least_finalfn(internal) IS 'Aggregate support: whether at least k distinct members were seen.';

CREATE AGGREGATE @extschema@.members_at_least(text, integer) (
    SFUNC = @extschema@.members_at_least_transfn, STYPE = internal,
    FINALFUNC = @extschema@.members_at_least_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.members_at_least_combinefn,
    SERIALFUNC = @extschema@.members_at_least_serialfn,
    DESERIALFUNC = @extschema@.members_at_least_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.members_at_least(text, integer) IS
    'True when the group may be released: at least max(k, exlink.min_group_size) distinct non-NULL, non-empty members, none holding more than exlink.max_member_share of the rows; for HAVING.';

CREATE FUNCTION @extschema@.guarded_avg_transfn(internal, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_avg_transfn';
CREATE FUNCTION @extschema@.guarded_avg_transfn(internal, float8, text, integer) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_avg_transfn';
CREATE FUNCTION @extschema@.guarded_avg_finalfn(internal, float8, text) RETURNS float8
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_avg_finalfn';
CREATE FUNCTION @extschema@.guarded_avg_finalfn(internal, float8, text, integer) RETURNS float8
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_avg_finalfn';
COMMENT ON FUNCTION @extschema@.guarded_avg_transfn(internal, float8, text) IS 'Aggregate support: add a value and its member.';
COMMENT ON FUNCTION @extschema@.guarded_avg_transfn(internal, float8, text, integer) IS 'Aggregate support: add a value and its member.';
COMMENT ON FUNCTION @extschema@.guarded_avg_finalfn(internal, float8, text) IS 'Aggregate support: the mean, NULL below k members.';
COMMENT ON FUNCTION @extschema@.guarded_avg_finalfn(internal, float8, text, integer) IS 'Aggregate support: the mean, NULL below max(k, setting) members.';

CREATE AGGREGATE @extschema@.guarded_avg(float8, text) (
    SFUNC = @extschema@.guarded_avg_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_avg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.guarded_avg(float8, text, integer) (
    SFUNC = @extschema@.guarded_avg_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_avg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.guarded_avg(float8, text) IS
    'Mean of value over rows with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.guarded_avg(float8, text, integer) IS
    'Guarded mean with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';

CREATE FUNCTION @extschema@.guarded_count_transfn(internal, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_count_transfn';
CREATE FUNCTION @extschema@.guarded_count_transfn(internal, text, integer) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_count_transfn';
CREATE FUNCTION @extschema@.guarded_count_finalfn(internal, text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_count_finalfn';
CREATE FUNCTION @extschema@.guarded_count_finalfn(internal, text, integer) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_guarded_count_finalfn';
COMMENT ON FUNCTION @extschema@.guarded_count_transfn(internal, text) IS 'Aggregate support: count a row and its member.';
COMMENT ON FUNCTION @extschema@.guarded_count_transfn(internal, text, integer) IS 'Aggregate support: count a row and its member.';
COMMENT ON FUNCTION @extschema@.guarded_count_finalfn(internal, text) IS 'Aggregate support: the row count, NULL below k members.';
COMMENT ON FUNCTION @extschema@.guarded_count_finalfn(internal, text, integer) IS 'Aggregate support: the row count, NULL below max(k, setting) members.';

CREATE AGGREGATE @extschema@.guarded_count(text) (
    SFUNC = @extschema@.guarded_count_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_count_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.guarded_count(text, integer) (
    SFUNC = @extschema@.guarded_count_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_count_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.guarded_count(text) IS
    'Number of rows (responses) with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.guarded_count(text, integer) IS
    'Guarded row count with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';

CREATE FUNCTION @extschema@.nps_transfn(internal, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_nps_transfn';
CREATE FUNCTION @extschema@.nps_transfn(internal, float8, text, integer) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_nps_transfn';
COMMENT ON FUNCTION @extschema@.nps_transfn(internal, float8, text) IS 'Aggregate support: add a 0..10 score (+100 promoter, -100 detractor) and its member.';
COMMENT ON FUNCTION @extschema@.nps_transfn(internal, float8, text, integer) IS 'Aggregate support: add a 0..10 score (+100 promoter, -100 detractor) and its member.';

CREATE AGGREGATE @extschema@.nps(float8, text) (
    SFUNC = @extschema@.nps_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_avg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.nps(float8, text, integer) (
    SFUNC = @extschema@.nps_transfn, STYPE = internal,
    FINALFUNC = @extschema@.guarded_avg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.nps(float8, text) IS
    'Net Promoter Score in points (% promoters 9-10 minus % detractors 0-6) of 0..10 scores; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.nps(float8, text, integer) IS
    'Guarded NPS with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';
