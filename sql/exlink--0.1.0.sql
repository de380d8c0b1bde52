-- exlink extension script, assembled from sql/parts/*.sql by the Makefile.
-- SPDX-License-Identifier: GPL-3.0-or-later
\echo Use "CREATE EXTENSION exlink CASCADE" to load this file. \quit

-- Closed by default: nothing in this schema is usable by PUBLIC unless granted below or in
-- the docs.  Functions are created EXECUTE-able by PUBLIC by PostgreSQL; the ones that must not
-- be are revoked right after their definition.

CREATE FUNCTION @extschema@.version() RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_version';
COMMENT ON FUNCTION @extschema@.version() IS
    'Version of the loaded exlink library.';

CREATE FUNCTION @extschema@.min_group_size() RETURNS integer
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_min_group_size';
COMMENT ON FUNCTION @extschema@.min_group_size() IS
    'The confidentiality threshold k in force: exlink.min_group_size as the library reads it (never a placeholder).';

COMMENT ON SCHEMA @extschema@ IS
    'exlink: EX/CX linkage with keyed pseudonyms, mergeable moments, correlation, key-driver analysis and a k-anonymity guard.';
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
    'Sealed mergeable sufficient statistics of a float8 vector: n, means, co-moments and a lower bound on distinct members (never member hashes).';
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
    'Union of exlink.moments values (exact pairwise merge); members is the largest lower bound among the inputs.';

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
    level float8
);
COMMENT ON TYPE @extschema@.correlation IS
    'A correlation with inference: n, members (NULL when unknown), r, t, df, two-sided p, Fisher-z interval at level, suppressed, status (ok or why figures are NULL), rows skipped.';

-- Pearson: the state is the shared moments state (p = 2).
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
-- STABLE: the guarded forms read exlink.min_group_size.
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
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
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8) IS
    'Pearson correlation of cx and ex with t, df, two-sided p and a 95% Fisher-z interval; rows with NULL, NaN or Infinity skipped.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text) IS
    'Guarded Pearson correlation: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8) IS
    'Guarded Pearson correlation with the interval at a confidence level in (0, 1).';

CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer, level float8)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer) IS
    'Pearson correlation with inference between variables i and j (1-based) of a moments value; suppressed when its member lower bound is below exlink.min_group_size.';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8) IS
    'Pearson correlation with inference between variables i and j of a moments value, interval at a confidence level in (0, 1).';

-- Spearman: the state holds the (cx, ex) pairs (16 bytes a row).
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
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8) IS
    'Spearman rank correlation (average ranks for ties) with t-approximation p and a Fisher-z interval; holds all pairs (16 bytes a row).';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text) IS
    'Guarded Spearman rank correlation: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8) IS
    'Guarded Spearman rank correlation with the interval at a confidence level in (0, 1).';
-- Keyed pseudonyms: the key table, key custody functions and exlink.pseudonymize.
-- See docs/pseudonyms.md for the threat model and the custody procedure.

-- One row per (domain, version).  The current key of a domain is its highest version; older
-- versions stay usable on request (pseudonymize(id, domain, version)) until retired.
-- domain is COLLATE "C" so that the C code's scan keys (which compare in the C collation)
-- navigate the primary key index in the order it was built with.
CREATE TABLE @extschema@.pseudonym_keys (
    domain     text COLLATE "C" NOT NULL CHECK (domain <> ''),
    version    integer NOT NULL CHECK (version >= 1),
    key        bytea NOT NULL CHECK (pg_catalog.octet_length(key) >= 16),
    created    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by name NOT NULL DEFAULT SESSION_USER,
    retired    timestamptz,
    PRIMARY KEY (domain, version)
);
REVOKE ALL ON TABLE @extschema@.pseudonym_keys FROM PUBLIC;
-- pg_dump keeps the rows (and therefore the keys: a dump is as secret as the keys).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pseudonym_keys', '');
COMMENT ON TABLE @extschema@.pseudonym_keys IS
    'Pseudonym keys per domain and version (secret: readable by its owner only; kept by pg_dump, so dumps hold keys).';
COMMENT ON COLUMN @extschema@.pseudonym_keys.domain IS 'Purpose the key serves (e.g. linkage-2026); different domains give unlinkable pseudonyms.';
COMMENT ON COLUMN @extschema@.pseudonym_keys.version IS 'Key version, 1, 2, ... per domain; the highest is the current one.';
COMMENT ON COLUMN @extschema@.pseudonym_keys.key IS 'The HMAC-SHA256 key (at least 16 bytes; 32 random bytes by default).';
COMMENT ON COLUMN @extschema@.pseudonym_keys.created IS 'When the version was created or imported.';
COMMENT ON COLUMN @extschema@.pseudonym_keys.created_by IS 'Session user who created or imported the version.';
COMMENT ON COLUMN @extschema@.pseudonym_keys.retired IS 'When the version was retired (NULL while usable); a retired version is refused by pseudonymize.';

-- Per-backend caches of keyed HMAC state are cleared in every session through a relcache
-- invalidation of this table, sent (transactionally) by this trigger.
CREATE FUNCTION @extschema@.pseudonym_keys_invalidate() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'exlink_pseudonym_keys_invalidate';
REVOKE ALL ON FUNCTION @extschema@.pseudonym_keys_invalidate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.pseudonym_keys_invalidate() IS
    'Trigger: tells every session to drop its cached keyed HMAC state when pseudonym_keys changes.';
CREATE TRIGGER pseudonym_keys_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.pseudonym_keys
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.pseudonym_keys_invalidate();

-- 32 random bytes from pgcrypto's gen_random_bytes.  pgcrypto is relocatable and may live in
-- any schema, and PostgreSQL 15 has no @extschema:pgcrypto@, so its schema is looked up in
-- pg_extension when this script runs and written into the body with %I.  The body is SQL-standard
-- (BEGIN ATOMIC): it is parsed now and bound to the function by OID, so it neither depends on any
-- search_path at call time nor breaks if pgcrypto is later moved (ALTER EXTENSION ... SET SCHEMA).
DO $exlink$
BEGIN
    EXECUTE pg_catalog.format(
        'CREATE FUNCTION @extschema@.random_key() RETURNS bytea'
        ' LANGUAGE sql VOLATILE PARALLEL RESTRICTED'
        ' BEGIN ATOMIC SELECT %I.gen_random_bytes(32); END',
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'pgcrypto'));
END
$exlink$;
REVOKE ALL ON FUNCTION @extschema@.random_key() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.random_key() IS
    '32 random bytes from pgcrypto''s gen_random_bytes (bound by OID, whatever pgcrypto''s schema).';

-- create_key, rotate_key and retire_key are SECURITY DEFINER: a custodian granted EXECUTE on
-- them can create, rotate and retire keys without any privilege on the key table, so without
-- ever being able to read a key.  search_path is pinned; every name is qualified; no dynamic
-- SQL.  Arguments are validated before the INSERT so that a constraint violation (whose detail
-- would show the failing row, key included) cannot happen through these functions.
CREATE FUNCTION @extschema@.create_key(domain text, key bytea DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF domain IS NULL OR domain = '' THEN
        RAISE EXCEPTION 'pseudonym domain must be a non-empty text' USING ERRCODE = '22023';
    END IF;
    IF key IS NOT NULL AND pg_catalog.octet_length(key) < 16 THEN
        RAISE EXCEPTION 'pseudonym key is too short'
            USING ERRCODE = '22023',
                  DETAIL = 'A key must have at least 16 bytes; 32 random bytes are recommended.',
                  HINT = 'Omit the key to have exlink draw 32 random bytes.';
    END IF;
    -- Serialize key changes (readers are not blocked).
    LOCK TABLE @extschema@.pseudonym_keys IN SHARE ROW EXCLUSIVE MODE;
    IF EXISTS (SELECT FROM @extschema@.pseudonym_keys k WHERE k.domain = create_key.domain) THEN
        RAISE EXCEPTION 'pseudonym domain "%" already has a key', domain
            USING ERRCODE = '42710',
                  HINT = 'Call exlink.rotate_key to make a new version.';
    END IF;
    INSERT INTO @extschema@.pseudonym_keys (domain, version, key)
    VALUES (domain, 1, COALESCE(key, @extschema@.random_key()));
    RETURN 1;
END
$$;
REVOKE ALL ON FUNCTION @extschema@.create_key(text, bytea) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.create_key(text, bytea) IS
    'Creates version 1 of a domain''s pseudonym key: 32 random bytes, or an imported key (at least 16 bytes). Custodians only.';

CREATE FUNCTION @extschema@.rotate_key(domain text, key bytea DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v integer;
BEGIN
    IF key IS NOT NULL AND pg_catalog.octet_length(key) < 16 THEN
        RAISE EXCEPTION 'pseudonym key is too short'
            USING ERRCODE = '22023',
                  DETAIL = 'A key must have at least 16 bytes; 32 random bytes are recommended.',
                  HINT = 'Omit the key to have exlink draw 32 random bytes.';
    END IF;
    LOCK TABLE @extschema@.pseudonym_keys IN SHARE ROW EXCLUSIVE MODE;
    SELECT pg_catalog.max(k.version) INTO v
      FROM @extschema@.pseudonym_keys k WHERE k.domain = rotate_key.domain;
    IF v IS NULL THEN
        RAISE EXCEPTION 'pseudonym domain "%" has no key', domain
            USING ERRCODE = '42704',
                  HINT = 'Call exlink.create_key first.';
    END IF;
    INSERT INTO @extschema@.pseudonym_keys (domain, version, key)
    VALUES (domain, v + 1, COALESCE(key, @extschema@.random_key()));
    RETURN v + 1;
END
$$;
REVOKE ALL ON FUNCTION @extschema@.rotate_key(text, bytea) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.rotate_key(text, bytea) IS
    'Makes a new current key version for a domain (random, or imported) and returns it; older versions stay usable on request. Custodians only.';

CREATE FUNCTION @extschema@.retire_key(domain text, version integer) RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE @extschema@.pseudonym_keys IN SHARE ROW EXCLUSIVE MODE;
    UPDATE @extschema@.pseudonym_keys k
       SET retired = COALESCE(k.retired, pg_catalog.now())
     WHERE k.domain = retire_key.domain AND k.version = retire_key.version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pseudonym key version % of domain "%" does not exist', version, domain
            USING ERRCODE = '42704';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION @extschema@.retire_key(text, integer) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.retire_key(text, integer) IS
    'Retires a key version: pseudonymize refuses it from then on (the row is kept for the record). Custodians only.';

-- pseudonymize reads the key table directly from C (no ACL check on the table), so it needs no
-- SECURITY DEFINER: EXECUTE on it is the authorization.  STABLE, not IMMUTABLE: keys change.
CREATE FUNCTION @extschema@.pseudonymize(id text, domain text) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_pseudonymize';
CREATE FUNCTION @extschema@.pseudonymize(id text, domain text, version integer) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_pseudonymize';
REVOKE ALL ON FUNCTION @extschema@.pseudonymize(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.pseudonymize(text, text, integer) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.pseudonymize(text, text) IS
    'Keyed pseudonym: lowercase hex HMAC-SHA256 of the ID (as UTF-8) under the domain''s current key; equals encode(hmac(convert_to(id, ''UTF8''), key, ''sha256''), ''hex''). Data owners only.';
COMMENT ON FUNCTION @extschema@.pseudonymize(text, text, integer) IS
    'Keyed pseudonym under a chosen key version of the domain (for re-linking data made with an older key). Data owners only.';
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
    rank integer
);
COMMENT ON TYPE @extschema@.driver IS
    'One driver of a key-driver model: standardized beta, its standard error, t and p; Pratt measure; Johnson relative weight and its share of R² (%); Shapley/LMG value and share (%); rank by LMG (by relative weight when LMG is NULL).';

CREATE TYPE @extschema@.driver_model AS (
    n bigint,
    skipped bigint,
    members bigint,
    r2 float8,
    adj_r2 float8,
    condition_number float8,
    suppressed boolean,
    status text,
    drivers @extschema@.driver[]
);
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL) and the drivers.';

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[]) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
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
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[]) IS
    'Key-driver analysis of outcome on drivers (names x1..xq): R², betas, Johnson relative weights, exact Shapley/LMG; rows with NULL, NaN or Infinity skipped and counted.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text) IS
    'Guarded key-driver analysis: all figures NULL and suppressed = true unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text[]) IS
    'Key-driver analysis of outcome on drivers, with driver names (one per driver, the same on every row).';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[]) IS
    'Guarded key-driver analysis with driver names.';

CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[]) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments) IS
    'Key-driver analysis of a moments value (a published cell or a merge of cells): variable 1 is the outcome, the others the drivers x1..xq; suppressed when its member lower bound is below exlink.min_group_size.';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[]) IS
    'Key-driver analysis of a moments value with driver names (variable 1 is the outcome).';

CREATE FUNCTION @extschema@.drivers(m @extschema@.driver_model)
    RETURNS TABLE (ordinal integer, name text, beta float8, beta_se float8, t float8, p_value float8,
                   pratt float8, relative_weight float8, relative_weight_share float8,
                   lmg float8, lmg_share float8, rank integer,
                   n bigint, members bigint, r2 float8, adj_r2 float8, condition_number float8,
                   suppressed boolean, status text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT d.ordinal::integer, d.name, d.beta, d.beta_se, d.t, d.p_value, d.pratt,
           d.relative_weight, d.relative_weight_share, d.lmg, d.lmg_share, d.rank,
           ($1).n, ($1).members, ($1).r2, ($1).adj_r2, ($1).condition_number,
           ($1).suppressed, ($1).status
      FROM pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ordinal)
     ORDER BY d.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.drivers(@extschema@.driver_model) IS
    'One plain row per driver of a key-driver model (in input order, with ordinal), repeating the model''s n, members, R², adjusted R², condition number, suppressed and status.';
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
    'True when at least max(k, exlink.min_group_size) distinct non-NULL, non-empty members are in the group (stops hashing once proven); for HAVING.';

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
    'Mean of value over rows with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed.';
COMMENT ON AGGREGATE @extschema@.guarded_avg(float8, text, integer) IS
    'Guarded mean with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed.';

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
    'Number of rows (responses) with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed.';
COMMENT ON AGGREGATE @extschema@.guarded_count(text, integer) IS
    'Guarded row count with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed.';

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
    'Net Promoter Score in points (% promoters 9-10 minus % detractors 0-6) of 0..10 scores; NULL unless at least exlink.min_group_size distinct members contributed.';
COMMENT ON AGGREGATE @extschema@.nps(float8, text, integer) IS
    'Guarded NPS with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed.';
-- Publication: protected-column policy, the registry, complementary suppression, publish,
-- unpublish and audit_view.  Every function here is SECURITY INVOKER (the caller needs the
-- privileges the work needs: reading the source, creating in the target schema) and runs with
-- search_path = pg_catalog, pg_temp so that nothing planted in public or pg_temp can shadow a
-- name; every identifier reaches dynamic SQL through format('%I') or a regclass.

-- The policy: column-name patterns that may never be published.  kind 'protected attribute'
-- (special-category data) or 'member identifier' (raw IDs, pseudonyms).  Patterns are POSIX
-- regular expressions matched case-insensitively against the normalised name (lower case,
-- every run of non-alphanumerics replaced by '_').
CREATE TABLE @extschema@.protected_columns (
    pattern text PRIMARY KEY CHECK (pattern <> ''),
    kind text NOT NULL DEFAULT 'protected attribute'
        CHECK (kind IN ('protected attribute', 'member identifier')),
    reason text NOT NULL CHECK (reason <> ''),
    seeded boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.protected_columns IS
    'Confidentiality policy: column-name patterns (case-insensitive POSIX regex over the normalised name) that exlink.publish refuses and exlink.audit_view reports. The custodian may add rows; analysts cannot.';
COMMENT ON COLUMN @extschema@.protected_columns.pattern IS 'Regular expression matched (case-insensitively) against lower(name) with runs of non-alphanumerics replaced by _.';
COMMENT ON COLUMN @extschema@.protected_columns.kind IS '''protected attribute'' (special-category data) or ''member identifier'' (raw employee IDs, pseudonyms).';
COMMENT ON COLUMN @extschema@.protected_columns.reason IS 'Why the pattern is protected (shown in refusals and audits).';
COMMENT ON COLUMN @extschema@.protected_columns.seeded IS 'True for rows shipped with exlink (pg_dump keeps only the custodian''s rows).';

INSERT INTO @extschema@.protected_columns (pattern, kind, reason, seeded) VALUES
    ('(^|_)age($|_)|(^|_)ages($|_)', 'protected attribute', 'age (discrimination law, re-identification)', true),
    ('birth|(^|_)dob($|_)', 'protected attribute', 'birth date (quasi-identifier, reveals age)', true),
    ('gender', 'protected attribute', 'gender (special category)', true),
    ('(^|_)sex($|_)', 'protected attribute', 'sex (special category)', true),
    ('(^|_)race($|_)|racial', 'protected attribute', 'race (special category)', true),
    ('ethnic', 'protected attribute', 'ethnicity (special category)', true),
    ('nationality|citizenship', 'protected attribute', 'nationality (discrimination law)', true),
    ('religio|(^|_)faith($|_)|(^|_)belief', 'protected attribute', 'religion or belief (special category)', true),
    ('disab|handicap', 'protected attribute', 'disability (special category)', true),
    ('health|medical|diagnos|sick', 'protected attribute', 'health data (special category)', true),
    ('marital|(^|_)spouse|civil_status', 'protected attribute', 'marital status (discrimination law)', true),
    ('pregnan|maternity', 'protected attribute', 'pregnancy or maternity (discrimination law)', true),
    ('sexual|orientation|(^|_)lgbt', 'protected attribute', 'sexual orientation (special category)', true),
    ('(^|_)union($|_)|trade_union|union_member', 'protected attribute', 'trade union membership (special category)', true),
    ('pseudonym', 'member identifier', 'a pseudonym identifies one member', true),
    ('(^|_)(employee|emp|staff|agent|person|member|worker|user)_?(id|no|number|key|code)?($|_)', 'member identifier',
        'an individual identifier (one member per value)', true),
    ('(^|_)(ssn|nin|national_id|personnel_number|payroll_id)($|_)', 'member identifier', 'an individual identifier', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.protected_columns', 'WHERE NOT seeded');
-- The policy is no secret (analysts may see what is refused); only the custodian may change it.
REVOKE ALL ON @extschema@.protected_columns FROM PUBLIC;
GRANT SELECT ON @extschema@.protected_columns TO PUBLIC;

-- The registry of publications.
CREATE TABLE @extschema@.publications (
    object regclass PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('materialized', 'live')),
    source regclass NOT NULL,
    member_column name NOT NULL,
    dimensions name[] NOT NULL,
    measures name[] NOT NULL,
    rollup boolean NOT NULL,
    k integer NOT NULL CHECK (k BETWEEN 2 AND 1000),
    grantees name[] NOT NULL,
    forced boolean NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.publications IS
    'Registry of guarded publications made by exlink.publish (object, source, member column, dimensions, measures, roll-up, baked k, grantees, who and when).';
COMMENT ON COLUMN @extschema@.publications.object IS 'The published (materialized) view.';
COMMENT ON COLUMN @extschema@.publications.kind IS '''materialized'' (released cells only) or ''live'' (security_barrier view, on explicit request).';
COMMENT ON COLUMN @extschema@.publications.source IS 'The relation the cells are computed from.';
COMMENT ON COLUMN @extschema@.publications.member_column IS 'The column whose distinct non-NULL, non-empty values are the members counted against k.';
COMMENT ON COLUMN @extschema@.publications.dimensions IS 'Grouping columns; with rollup, the hierarchy, coarsest first.';
COMMENT ON COLUMN @extschema@.publications.measures IS 'Measures whose means and moments are published per cell.';
COMMENT ON COLUMN @extschema@.publications.rollup IS 'Whether subtotals along the dimension hierarchy (and a grand total) are published.';
COMMENT ON COLUMN @extschema@.publications.k IS 'The threshold baked into the publication (the effective k is max(k, exlink.min_group_size) at refresh).';
COMMENT ON COLUMN @extschema@.publications.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.publications.forced IS 'Whether an overlapping grain of the same source was forced.';
COMMENT ON COLUMN @extschema@.publications.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.publications.published_at IS 'When it was published.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.publications', '');
REVOKE ALL ON @extschema@.publications FROM PUBLIC;

-- Complementary suppression over the cells of one hierarchy.  Cells are given as parallel arrays:
-- a key, the key of the parent cell (NULL at the top), and the cell's exact distinct-member count.
-- Returns the keys that may be released.  Rules, for every parent P with children C(P):
--   primary:  a cell with fewer than k members is suppressed;
--   P released: the suppressed children S are none, or at least two covering together at least
--     k members (lower bound: max(max |s|, |P| - sum of released children's members));
--   P suppressed: S is all of C(P), or at least two covering at least k members (so P is never
--     derivable from its children);
-- else the smallest released child (by members, then key) is suppressed too (or, when no child
-- is left to suppress, P), and everything is checked again until nothing changes, so the rules
-- propagate up and down the hierarchy.
CREATE FUNCTION @extschema@.complementary_suppression(cells text[], parents text[], members bigint[], k integer)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer := coalesce(pg_catalog.array_length(cells, 1), 0);
    parent_idx integer[];
    supp boolean[];
    victims integer[];
    v integer;
    rounds integer := 0;
BEGIN
    IF k IS NULL OR k < 2 THEN
        RAISE EXCEPTION 'k must be at least 2' USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.array_length(parents, 1), 0) <> n OR coalesce(pg_catalog.array_length(members, 1), 0) <> n THEN
        RAISE EXCEPTION 'cells, parents and members must have the same length' USING ERRCODE = '22023';
    END IF;
    IF n = 0 THEN
        RETURN '{}'::text[];
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(cells) AS c) <> n OR pg_catalog.array_position(cells, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'cell keys must be unique and not null' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.array_agg(p.i ORDER BY c.i), pg_catalog.array_agg(coalesce(c.m, 0) < k ORDER BY c.i)
      INTO parent_idx, supp
      FROM unnest(cells, parents, members) WITH ORDINALITY AS c(key, parent, m, i)
      LEFT JOIN pg_catalog.unnest(cells) WITH ORDINALITY AS p(key, i) ON p.key = c.parent;
    LOOP
        rounds := rounds + 1;
        WITH c AS (
            SELECT i, parent_idx[i] AS p, coalesce(members[i], 0) AS m, supp[i] AS s
              FROM pg_catalog.generate_subscripts(cells, 1) AS i),
        rel AS (
            SELECT c.p, pg_catalog.count(*) FILTER (WHERE c.s) AS ns, pg_catalog.count(*) AS nc,
                   coalesce(pg_catalog.max(c.m) FILTER (WHERE c.s), 0) AS maxs,
                   coalesce(pg_catalog.sum(c.m) FILTER (WHERE NOT c.s), 0) AS sumr
              FROM c WHERE c.p IS NOT NULL GROUP BY c.p),
        bad AS (
            SELECT rel.p FROM rel
             WHERE (NOT supp[rel.p] AND rel.ns >= 1
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))
                OR (supp[rel.p] AND rel.ns < rel.nc
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))),
        pick AS (
            SELECT DISTINCT ON (bad.p) bad.p, c.i
              FROM bad LEFT JOIN c ON c.p = bad.p AND NOT c.s
             ORDER BY bad.p, c.m NULLS LAST, cells[c.i] COLLATE "C")
        SELECT pg_catalog.array_agg(DISTINCT coalesce(pick.i, pick.p)) INTO victims FROM pick;
        EXIT WHEN victims IS NULL;
        FOREACH v IN ARRAY victims LOOP
            supp[v] := true;
        END LOOP;
        IF rounds > n + 1 THEN
            RAISE EXCEPTION 'complementary suppression did not converge' USING ERRCODE = 'XX000';
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT cells[i] FROM pg_catalog.generate_subscripts(cells, 1) AS i WHERE NOT supp[i] ORDER BY i);
END
$fn$;
COMMENT ON FUNCTION @extschema@.complementary_suppression(text[], text[], bigint[], integer) IS
    'Keys of the cells that may be released under primary (< k members) and complementary suppression along a hierarchy (cells, their parents, their exact distinct-member counts).';

-- Normalised column name for policy matching.
CREATE FUNCTION @extschema@.policy_violation(col name, want_kind text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT p.kind || ': ' || p.reason
      FROM @extschema@.protected_columns p
     WHERE pg_catalog.lower(pg_catalog.regexp_replace(col::text, '[^[:alnum:]]+', '_', 'g')) OPERATOR(pg_catalog.~*) p.pattern
       AND (want_kind IS NULL OR p.kind OPERATOR(pg_catalog.=) want_kind)
     ORDER BY p.kind COLLATE "C", p.pattern COLLATE "C"
     LIMIT 1
$fn$;
COMMENT ON FUNCTION @extschema@.policy_violation(name, text) IS
    'The first exlink.protected_columns rule (kind and reason) a column name matches, or NULL.';

-- Code a source would run as the caller.  Reading a view runs the functions and operators of its
-- current definition as the reader (not as the view's owner), and reading a table with row
-- security runs its policies' expressions as the reader too; the owner of a view or a table can
-- change both at any time.  publish (and every REFRESH) reads the source as the custodian, so a
-- data owner who owns any of these could run code with the custodian's rights: read other
-- owners' sources, the registry, forge policy rows.  Returns the first such object whose owner
-- is neither a superuser nor a role whose privileges the caller has, or NULL.
CREATE FUNCTION @extschema@.untrusted_code(source regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH RECURSIVE rels(oid) AS (
        SELECT source::oid
        UNION
        -- through views only: reading a materialized view runs none of its definition
        SELECT d.refobjid
          FROM rels
          JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) rels.oid AND v.relkind OPERATOR(pg_catalog.=) 'v'
          JOIN pg_catalog.pg_rewrite rw ON rw.ev_class OPERATOR(pg_catalog.=) rels.oid
          JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                                     AND d.objid OPERATOR(pg_catalog.=) rw.oid
                                     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass),
    code(what, owner) AS (
        -- views (their definition can be replaced by their owner) and tables with row security
        SELECT pg_catalog.format('%s %s', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'row security of' END, c.oid::pg_catalog.regclass), c.relowner
          FROM rels JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) rels.oid
         WHERE c.relkind OPERATOR(pg_catalog.=) 'v' OR c.relrowsecurity
        UNION ALL
        -- functions and operators called by the views
        SELECT pg_catalog.format('function %s', p.oid::pg_catalog.regprocedure), p.proowner
          FROM rels
          JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) rels.oid AND v.relkind OPERATOR(pg_catalog.=) 'v'
          JOIN pg_catalog.pg_rewrite rw ON rw.ev_class OPERATOR(pg_catalog.=) rels.oid
          JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                                     AND d.objid OPERATOR(pg_catalog.=) rw.oid
          LEFT JOIN pg_catalog.pg_operator o ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
                                            AND o.oid OPERATOR(pg_catalog.=) d.refobjid
          JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) CASE
                 WHEN d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass THEN d.refobjid
                 ELSE o.oprcode::pg_catalog.oid END)
    SELECT code.what || ' (owned by ' || pg_catalog.quote_ident(r.rolname) || ')'
      FROM code JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) code.owner
     WHERE NOT r.rolsuper AND NOT pg_catalog.pg_has_role(CURRENT_USER, code.owner, 'USAGE')
     ORDER BY code.what COLLATE "C"
     LIMIT 1
$fn$;
COMMENT ON FUNCTION @extschema@.untrusted_code(regclass) IS
    'The first view, row-security table, function or operator behind a source that would run code of another (non-superuser) role as the caller when the source is read, or NULL.';

CREATE FUNCTION @extschema@.publish(
    publication text,
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    grant_to name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false,
    live boolean DEFAULT false,
    force boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
    target text;
    kk integer;
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    col name;
    why text;
    typ oid;
    other record;
    overlapping boolean;
    dim_list text;
    dim_sel text;
    dim_out text;
    level_expr text;
    key_args text;
    parent_expr text;
    where_expr text;
    vals text;
    means_out text := '';
    group_expr text;
    q text;
    obj regclass;
    r name;
    i integer;
BEGIN
    IF publication IS NULL OR source IS NULL OR member_column IS NULL OR dimensions IS NULL OR measures IS NULL
       OR grant_to IS NULL OR rollup IS NULL OR live IS NULL OR force IS NULL THEN
        RAISE EXCEPTION 'exlink.publish arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    -- The target: exactly schema.name, parsed strictly (quoted identifiers allowed).
    BEGIN
        parts := pg_catalog.parse_ident(publication);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid publication name' USING ERRCODE = '22023',
            DETAIL = 'The name must be schema.name, with double quotes around unusual identifiers.';
    END;
    IF pg_catalog.array_length(parts, 1) <> 2 THEN
        RAISE EXCEPTION 'publication name must be schema.name' USING ERRCODE = '22023',
            HINT = 'Write schema.name.';
    END IF;
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);

    -- k: the setting by default, never lower.
    kk := @extschema@.min_group_size();
    IF k IS NOT NULL THEN
        IF k < kk THEN
            RAISE EXCEPTION 'k cannot be lower than exlink.min_group_size' USING ERRCODE = '42501',
                DETAIL = pg_catalog.format('Asked for %s; the server requires at least %s.', k, kk);
        END IF;
        IF k > 1000 THEN
            RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
        END IF;
        kk := k;
    END IF;

    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF nm > 64 THEN
        RAISE EXCEPTION 'at most 64 measures can be published' USING ERRCODE = '54000';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(dimensions || measures) c) <> nd + nm THEN
        RAISE EXCEPTION 'dimensions and measures must be distinct columns' USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = source AND c.relkind IN ('r', 'v', 'm', 'p', 'f')) THEN
        RAISE EXCEPTION 'source must be a table, view, materialized view or foreign table' USING ERRCODE = '22023';
    END IF;

    -- Columns exist; policy.
    FOREACH col IN ARRAY ARRAY[member_column] || dimensions || measures LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = source AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column % does not exist in %', pg_catalog.quote_ident(col), source
                USING ERRCODE = '42703';
        END IF;
    END LOOP;
    IF member_column = ANY (dimensions) OR member_column = ANY (measures) THEN
        RAISE EXCEPTION 'the member column cannot be published' USING ERRCODE = '42501',
            DETAIL = 'Each value of the member column identifies one member; a cell per member is a cell of one.';
    END IF;
    FOREACH col IN ARRAY dimensions || measures LOOP
        why := @extschema@.policy_violation(col);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION 'column % is protected and cannot be published', pg_catalog.quote_ident(col)
                USING ERRCODE = '42501', DETAIL = 'exlink.protected_columns: ' || why || '.',
                HINT = 'Remove the column from the publication (a custodian decides the policy).';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY measures LOOP
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a WHERE a.attrelid = source AND a.attname = col;
        IF typ NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype, 'numeric'::regtype) THEN
            RAISE EXCEPTION 'measure % must be numeric', pg_catalog.quote_ident(col) USING ERRCODE = '22023';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY dimensions || (SELECT coalesce(pg_catalog.array_agg(('mean_' || m)::name), '{}') FROM pg_catalog.unnest(measures) m) LOOP
        IF col IN ('level', 'cell', 'parent', 'responses', 'members', 'moments', 'exlink_member', 'exlink_vals') THEN
            RAISE EXCEPTION 'column name % is reserved in publications', pg_catalog.quote_ident(col) USING ERRCODE = '22023';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY measures LOOP
        IF pg_catalog.octet_length('mean_' || col) > 63 THEN
            RAISE EXCEPTION 'measure name % is too long', pg_catalog.quote_ident(col) USING ERRCODE = '54000';
        END IF;
    END LOOP;
    why := @extschema@.untrusted_code(source);
    IF why IS NOT NULL THEN
        RAISE EXCEPTION 'source % would run code of another role as %', source, CURRENT_USER
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Reading it runs %s, with your rights, now and at every refresh.', why),
            HINT = 'Publish from a relation you own (e.g. your own view over the owners'' tables), with functions you or a superuser own.';
    END IF;
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;

    -- Registry rows of publications dropped without unpublish are stale: forget them.
    DELETE FROM @extschema@.publications p
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);

    -- Overlapping grains of one source can be subtracted from each other: refuse unless forced.
    -- (A different k at the same grain suppresses different complements: also a different grain.
    -- So are other measures or another member column: listwise deletion keeps other rows, and
    -- the same cell published over two row sets differs by the rows of a few members.  A live
    -- and a materialized twin of one grain differ by every change since the last refresh.)
    SELECT p.object, p.kind, p.dimensions, p.rollup, p.k, p.measures, p.member_column INTO other
      FROM @extschema@.publications p
     WHERE p.source = publish.source
       AND (p.dimensions <> publish.dimensions OR p.rollup <> publish.rollup OR p.k <> kk
            OR p.member_column <> publish.member_column
            OR (p.kind = 'live') <> publish.live
            OR NOT (p.measures @> publish.measures AND p.measures <@ publish.measures))
     ORDER BY p.published_at LIMIT 1;
    overlapping := FOUND;
    IF overlapping AND NOT force THEN
        RAISE EXCEPTION 'another publication of the same source overlaps this one'
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('%s (%s) publishes %s by (%s)%s, k = %s, members %s, measures (%s); figures of two overlapping grains (or of one grain over two row sets, or a live and a materialized twin) can be subtracted from each other to reveal suppressed cells, which complementary suppression within one publication cannot prevent.',
                                       other.object, other.kind, source, pg_catalog.array_to_string(other.dimensions, ', '),
                                       CASE WHEN other.rollup THEN ' with roll-up' ELSE '' END, other.k,
                                       pg_catalog.quote_ident(other.member_column), pg_catalog.array_to_string(other.measures, ', ')),
            HINT = 'Publish one hierarchy with rollup => true (its levels are protected together), unpublish the other, or pass force => true if no analyst can read both.';
    END IF;

    -- The query.  Every identifier through %I; k is an integer.  keyed is MATERIALIZED: a fence
    -- so that no qual of an analyst querying a live view is ever pushed down into the source scan
    -- (a filtered source would be a second, overlapping grain, open to differencing).
    SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('c.%I', d), ', ' ORDER BY o)
      INTO dim_sel, dim_list, dim_out
      FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    where_expr := pg_catalog.format('s.%I IS NOT NULL AND s.%I::text <> %L', member_column, member_column, '');
    IF nm > 0 THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(' AND s.%I::float8 > %L::float8 AND s.%I::float8 < %L::float8',
                                                       m, '-Infinity', m, 'Infinity'), '' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(c.moments))[%s] AS %I', o, 'mean_' || m), '' ORDER BY o)
          INTO vals, q, means_out
          FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o);
        where_expr := where_expr || q;
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('(1 - GROUPING(%I))', d), ' + ' ORDER BY o)
      INTO level_expr FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    IF rollup THEN
        group_expr := 'ROLLUP (' || dim_list || ')';
        -- The parent of a cell at level L is the cell at level L - 1 with dimension L blanked.
        parent_expr := 'CASE c.level';
        FOR i IN 1..nd LOOP
            SELECT pg_catalog.string_agg(CASE WHEN o < i THEN pg_catalog.format('c.%I', d) ELSE 'NULL' END, ', ' ORDER BY o)
              INTO key_args FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
            parent_expr := parent_expr || pg_catalog.format(' WHEN %s THEN %L || pg_catalog.jsonb_build_array(%s)::text', i, (i - 1) || ':', key_args);
        END LOOP;
        parent_expr := parent_expr || ' END';
    ELSE
        -- Without roll-up the grand total is still computed, as the (unpublished) parent of every
        -- cell: the total row count of a source is visible to everyone in pg_class.reltuples and
        -- pg_stat_user_tables, so total minus the released cells must not isolate a small group.
        group_expr := 'GROUPING SETS ((' || dim_list || '), ())';
        SELECT pg_catalog.format('CASE c.level WHEN %s THEN %L || pg_catalog.jsonb_build_array(%s)::text END',
                                 nd, '0:', pg_catalog.string_agg('NULL', ', '))
          INTO parent_expr FROM pg_catalog.generate_series(1, nd);
    END IF;

    q := pg_catalog.format($q$
WITH src AS (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s),
cells AS (
    SELECT %6$s AS level, %7$s,
           pg_catalog.count(*) AS responses, pg_catalog.count(DISTINCT src.exlink_member) AS members%8$s
      FROM src GROUP BY %9$s),
keyed AS MATERIALIZED (
    SELECT c.*, c.level || ':' || pg_catalog.jsonb_build_array(%10$s)::text AS cell, %11$s AS parent
      FROM cells AS c),
released AS (
    SELECT pg_catalog.unnest(@extschema@.complementary_suppression(
               pg_catalog.array_agg(k.cell), pg_catalog.array_agg(k.parent), pg_catalog.array_agg(k.members),
               GREATEST(%12$s, @extschema@.min_group_size()))) AS cell
      FROM keyed AS k)
SELECT %10$s, c.level, c.cell, c.responses, c.members%13$s%14$s
  FROM keyed AS c
 WHERE c.cell IN (SELECT released.cell FROM released)%15$s$q$,
        dim_sel, member_column,
        CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
        source::text, where_expr,
        level_expr, dim_list,
        CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s) AS moments', kk) ELSE '' END,
        group_expr, dim_out, parent_expr, kk,
        means_out,
        CASE WHEN nm > 0 THEN ', c.moments' ELSE '' END,
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND c.level = %s', nd) END);

    IF live THEN
        EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s', target, q);
    ELSE
        EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s', target, q);
        EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(parts[2], 50) || '_cell', target);
    END IF;
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON %s %s IS %L', CASE WHEN live THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, target,
        pg_catalog.format('exlink publication of %s by (%s), k = %s%s', source, pg_catalog.array_to_string(dimensions, ', '), kk,
                          CASE WHEN rollup THEN ', with roll-up and complementary suppression' ELSE '' END));

    INSERT INTO @extschema@.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced)
    VALUES (obj, CASE WHEN live THEN 'live' ELSE 'materialized' END, source, member_column, dimensions, measures,
            rollup, kk, grant_to, force AND overlapping);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) IS
    'Custodian only: publish the cells of source by dimensions that cover at least k distinct members (with roll-up and complementary suppression on request) as a materialized view, or a security_barrier view when live => true.';
REVOKE ALL ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) FROM PUBLIC;

CREATE FUNCTION @extschema@.unpublish(publication regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind_ text;
BEGIN
    SELECT p.kind INTO kind_ FROM @extschema@.publications p WHERE p.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    DELETE FROM @extschema@.publications p WHERE p.object = publication;
    EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN kind_ = 'live' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, publication);
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish(regclass) IS
    'Custodian only: drop a publication and its registry entry (the caller must own it).';
REVOKE ALL ON FUNCTION @extschema@.unpublish(regclass) FROM PUBLIC;

-- The violations of an existing view or materialized view.
CREATE FUNCTION @extschema@.audit_view(target regclass)
RETURNS TABLE (column_name name, violation text, detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    guarded boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = target AND c.relkind IN ('v', 'm')) THEN
        RAISE EXCEPTION '% is not a view or materialized view', target USING ERRCODE = '22023';
    END IF;
    -- Output columns that match the policy.
    RETURN QUERY
    SELECT a.attname,
           CASE WHEN @extschema@.policy_violation(a.attname, 'member identifier') IS NOT NULL
                THEN 'raw member or pseudonym column' ELSE 'protected column' END,
           @extschema@.policy_violation(a.attname)
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
       AND @extschema@.policy_violation(a.attname) IS NOT NULL
     ORDER BY a.attnum;
    -- Output columns that are, under another name, a registered member column.
    RETURN QUERY
    SELECT a.attname, 'raw member or pseudonym column'::text,
           pg_catalog.format('same name as the member column of %s', p.object)
      FROM pg_catalog.pg_attribute a
      JOIN @extschema@.publications p ON p.member_column = a.attname
     WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
       AND @extschema@.policy_violation(a.attname) IS NULL
     ORDER BY a.attnum;
    -- Source columns the view reads that the policy protects (even when renamed in the output).
    RETURN QUERY
    SELECT DISTINCT sa.attname, 'reads protected column'::text,
           pg_catalog.format('%s.%s: %s', d.refobjid::regclass, pg_catalog.quote_ident(sa.attname), @extschema@.policy_violation(sa.attname))
      FROM pg_catalog.pg_rewrite rw
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                 AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0
      JOIN pg_catalog.pg_attribute sa ON sa.attrelid = d.refobjid AND sa.attnum = d.refobjsubid
     WHERE rw.ev_class = target AND d.refobjid <> target
       AND @extschema@.policy_violation(sa.attname, 'protected attribute') IS NOT NULL;
    -- A guard: a registered publication, or a view that calls an exlink guard.
    SELECT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = target)
        OR EXISTS (SELECT 1
                     FROM pg_catalog.pg_rewrite rw
                     JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                     JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                    WHERE rw.ev_class = target
                      AND f.pronamespace = '@extschema@'::regnamespace
                      AND (f.proname IN ('members_at_least', 'guarded_avg', 'guarded_count', 'nps',
                                         'complementary_suppression')
                           OR f.oid IN ('@extschema@.moments(float8[], text)'::regprocedure,
                                        '@extschema@.moments(float8[], text, integer)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[])'::regprocedure)))
      INTO guarded;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.audit_view(regclass) IS
    'Violations of a view or materialized view: protected columns, raw member or pseudonym columns, protected source columns read, no k guard (no rows: none found).';
REVOKE ALL ON FUNCTION @extschema@.audit_view(regclass) FROM PUBLIC;
