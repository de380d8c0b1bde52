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
