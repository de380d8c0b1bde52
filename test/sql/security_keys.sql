-- Key confidentiality: no analyst (and no data owner or custodian beyond their grants) can
-- read a key, compute a pseudonym, or find a key in settings, statistics, query texts or errors.
\set VERBOSITY terse
-- Without pg_stat_statements preloaded (make installcheck on another server) the expected output
-- is security_keys_1.out: its checks fail with an error there, the others run the same.
SELECT 'pg_stat_statements' = ANY (string_to_array(current_setting('shared_preload_libraries'), ',')) AS pg_stat_statements_preloaded;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SELECT pg_stat_statements_reset() IS NOT NULL AS reset;

-- The custodian manages keys; the HR owner pseudonymizes; the analyst has no grant at all.
GRANT EXECUTE ON FUNCTION exlink.create_key(text, bytea), exlink.rotate_key(text, bytea),
    exlink.retire_key(text, integer) TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.pseudonymize(text, text) TO regress_hr_owner;

-- An imported key, known to this test only: 0x5ec4e7...
SET ROLE regress_custodian;
SELECT exlink.create_key('sec', '\x5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4'::bytea) AS version;
SELECT exlink.create_key('sec-random') AS version;
RESET ROLE;
ANALYZE exlink.pseudonym_keys;

-- Nothing in the schema is executable by PUBLIC except what is meant to be.
SELECT p.oid::regprocedure AS public_executable
  FROM pg_proc p
 WHERE p.pronamespace = 'exlink'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE')
   AND p.proname ~ '(key|pseudonym)'
 ORDER BY p.oid::regprocedure::text COLLATE "C";
-- SECURITY DEFINER functions pin their search_path.
SELECT p.oid::regprocedure AS definer, p.proconfig
  FROM pg_proc p WHERE p.pronamespace = 'exlink'::regnamespace AND p.prosecdef
 ORDER BY p.oid::regprocedure::text COLLATE "C";

SET ROLE regress_analyst;
-- must fail: an analyst cannot compute a pseudonym
SELECT exlink.pseudonymize('emp1', 'sec');
SELECT exlink.pseudonymize('emp1', 'sec', 1);
-- must fail: an analyst cannot create, rotate or retire keys
SELECT exlink.create_key('mine', '\x000102030405060708090a0b0c0d0e0f'::bytea);
SELECT exlink.rotate_key('sec');
SELECT exlink.retire_key('sec', 1);
-- must fail: an analyst cannot read the key table (SELECT, COPY, TABLE)
SELECT key FROM exlink.pseudonym_keys;
SELECT count(*) FROM exlink.pseudonym_keys;
COPY exlink.pseudonym_keys TO STDOUT;
-- must fail: an analyst cannot bind the C symbol to a function of their own
CREATE FUNCTION pg_temp.my_pseudonym(text, text) RETURNS text LANGUAGE c AS '$libdir/exlink', 'exlink_pseudonymize';
-- must fail: no key bytes in planner statistics
SELECT count(*) AS visible_stats FROM pg_stats WHERE schemaname = 'exlink' AND tablename = 'pseudonym_keys';
-- must fail: no key in settings, per-database or per-role settings
SELECT count(*) AS in_settings FROM pg_settings WHERE setting ~* '5ec4e75e' OR reset_val ~* '5ec4e75e';
SELECT count(*) AS in_role_settings FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE c ~* '5ec4e75e';
SELECT count(*) AS exlink_settings FROM pg_settings WHERE name LIKE 'exlink.%' AND name NOT IN ('exlink.min_group_size', 'exlink.max_cluster_members', 'exlink.max_member_share', 'exlink.cluster_summary', 'exlink.allow_unsafe_refresh');
RESET ROLE;

-- must fail: a data owner pseudonymizes but cannot read keys or change them
SET ROLE regress_hr_owner;
SELECT exlink.pseudonymize('emp1', 'sec') = encode(hmac(convert_to('emp1', 'UTF8'), '\x5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4'::bytea, 'sha256'), 'hex') AS owner_pseudonymizes;
SELECT key FROM exlink.pseudonym_keys;
SELECT exlink.rotate_key('sec');
RESET ROLE;
-- must fail: the custodian creates keys but cannot read them
SET ROLE regress_custodian;
SELECT key FROM exlink.pseudonym_keys;
SELECT exlink.pseudonymize('emp1', 'sec');
RESET ROLE;

-- No key and no ID in any error message, detail, hint or context (the context line that
-- quotes this test's own EXECUTEd statement is left out).
SET ROLE regress_custodian;
DO $$
DECLARE
    m text; d text; h text; c text; leaks int := 0; errors int := 0; calls text[] := ARRAY[
        $q$SELECT exlink.create_key('sec2', '\x5ec4e75ec4e75ec4e75ec4e75ec4e7'::bytea)$q$,
        $q$SELECT exlink.create_key('sec', '\x5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4'::bytea)$q$,
        $q$SELECT exlink.rotate_key('sec', '\x5ec4e7'::bytea)$q$,
        $q$SELECT exlink.rotate_key('nosuch', '\x5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4'::bytea)$q$];
    q text;
BEGIN
    FOREACH q IN ARRAY calls LOOP
        BEGIN
            EXECUTE q;
        EXCEPTION WHEN OTHERS THEN
            errors := errors + 1;
            GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
                                    h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
            c := regexp_replace(c, '^SQL statement "[^\n]*$', '', 'gn');
            IF concat_ws(' ', m, d, h, c) ~* '5ec4e7' THEN leaks := leaks + 1; END IF;
        END;
    END LOOP;
    RAISE NOTICE '% errors, key in % of them', errors, leaks;
END $$;
RESET ROLE;
SET ROLE regress_hr_owner;
DO $$
DECLARE m text; d text; h text; c text; leaks int := 0; errors int := 0; q text;
BEGIN
    FOREACH q IN ARRAY ARRAY[
        $q$SELECT exlink.pseudonymize('EMP-SECRET-4711', 'nosuch')$q$,
        $q$SELECT exlink.pseudonymize('EMP-SECRET-4711', 'sec', 3)$q$] LOOP
        BEGIN
            EXECUTE q;
        EXCEPTION WHEN OTHERS THEN
            errors := errors + 1;
            GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
                                    h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
            c := regexp_replace(c, '^SQL statement "[^\n]*$', '', 'gn');
            IF concat_ws(' ', m, d, h, c) ~* 'SECRET-4711' THEN leaks := leaks + 1; END IF;
        END;
    END LOOP;
    RAISE NOTICE '% errors, ID in % of them', errors, leaks;
END $$;
RESET ROLE;

-- Query texts kept by pg_stat_statements hold no key: the literal passed to create_key (and to
-- hmac) is normalized to a parameter.  Utility statements are kept verbatim, though: the only
-- text holding the key is this test's own DO block, which is why the docs say never to put a
-- key in a DO block, CALL or PREPARE.
SELECT left(query, 5) AS key_in_query_text FROM pg_stat_statements WHERE query ~* '5ec4e75e';
SELECT count(*) > 0 AS import_tracked FROM pg_stat_statements WHERE query LIKE '%exlink.create_key(%';

REVOKE EXECUTE ON FUNCTION exlink.create_key(text, bytea), exlink.rotate_key(text, bytea),
    exlink.retire_key(text, integer) FROM regress_custodian;
REVOKE EXECUTE ON FUNCTION exlink.pseudonymize(text, text) FROM regress_hr_owner;
DELETE FROM exlink.pseudonym_keys;
DROP EXTENSION pg_stat_statements;
