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
