-- The frame: install, version, the threshold setting and who may change it, clean drop.
SELECT exlink.version() = (SELECT extversion FROM pg_extension WHERE extname = 'exlink') AS version_matches;
SELECT 'exlink' = ANY (string_to_array(current_setting('shared_preload_libraries'), ',')) AS preloaded;

-- exlink.min_group_size: default 5, integer, superuser-only.
SELECT name, setting, vartype, context, min_val, max_val
  FROM pg_settings WHERE name = 'exlink.min_group_size';
SELECT exlink.min_group_size();

-- The prefix is reserved: no made-up exlink.* placeholder can be created.
SET exlink.no_such_setting = 1;

-- A superuser may raise it (and set it back).
SET exlink.min_group_size = 7;
SELECT exlink.min_group_size();
RESET exlink.min_group_size;
SET exlink.min_group_size = 1;   -- below the floor of 2

-- must fail: an analyst cannot lower k (SET, SET LOCAL, set_config)
SET ROLE regress_analyst;
SET exlink.min_group_size = 1;
SET exlink.min_group_size = 10;
BEGIN;
SET LOCAL exlink.min_group_size = 2;
ROLLBACK;
SELECT set_config('exlink.min_group_size', '2', false);
SELECT current_setting('exlink.min_group_size'), exlink.min_group_size();
RESET ROLE;

-- must fail: PGOPTIONS at connection time (a new backend, as the analyst).
-- (Placeholders set before the library loads are tested in test/shell/threshold.sh, on a
-- cluster without shared_preload_libraries.)
\setenv PGDATABASE :DBNAME
\! PGPASSWORD=regress_analyst PGOPTIONS='-c exlink.min_group_size=2' psql -X -q -At -U regress_analyst -c "SELECT current_setting('exlink.min_group_size'), exlink.min_group_size()" 2>&1 | sed 's/.*FATAL: */FATAL: /' 

-- Every SQL-visible object of the extension has a comment.
SELECT missing_comment FROM (
SELECT pg_describe_object(d.classid, d.objid, 0) AS missing_comment
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'exlink')
   AND obj_description(d.objid, d.classid::regclass::text) IS NULL) s
 ORDER BY missing_comment COLLATE "C";

-- Drop leaves nothing behind; re-create works.
DROP EXTENSION exlink;
SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'exlink'::regnamespace)
     + (SELECT count(*) FROM pg_class WHERE relnamespace = 'exlink'::regnamespace)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = 'exlink'::regnamespace) AS leftover_objects;
DROP SCHEMA exlink;
CREATE EXTENSION exlink;
SELECT exlink.version() IS NOT NULL AS reinstalled;
GRANT USAGE ON SCHEMA exlink TO regress_custodian, regress_hr_owner, regress_cx_owner, regress_analyst;
