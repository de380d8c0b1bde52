-- Drop the security fixture.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SET ROLE regress_custodian;
SELECT exlink.unpublish(object) FROM exlink.publications ORDER BY object::text COLLATE "C";
DROP SCHEMA linked CASCADE;
DROP SCHEMA published CASCADE;
RESET ROLE;
SELECT count(*) AS publications_left FROM exlink.publications;
REVOKE ALL ON exlink.publications, exlink.released_cells, exlink.release_ledger, exlink.refresh_status FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.refresh(regclass) FROM regress_custodian;
REVOKE ALL ON exlink.protected_columns FROM regress_custodian;
GRANT SELECT ON exlink.protected_columns TO PUBLIC;
REVOKE ALL ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                       exlink.unpublish(regclass), exlink.audit_view(regclass) FROM regress_custodian;
REVOKE CREATE ON DATABASE :"DBNAME" FROM regress_custodian;
