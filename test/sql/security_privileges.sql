-- Rule: analysts cannot publish, unpublish, refresh, audit, change the policy or read the
-- registry or the sources; the custodian can.  As the analyst.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SET ROLE regress_analyst;
-- must fail: calling publish
SELECT exlink.publish('published.mine', 'published.cx_cells', 'members', '{region}', '{}');
SELECT exlink.publish('pg_temp.mine', 'linked.cx', 'employee', '{team}', '{csat}');
-- must fail: unpublish, refresh, drop, alter or grant on a publication
SELECT exlink.unpublish('published.cx_cells');
REFRESH MATERIALIZED VIEW published.cx_cells;
DROP TABLE published.cx_cells;
ALTER TABLE published.cx_cells RENAME TO x;
DELETE FROM published.cx_cells;
INSERT INTO published.cx_cells SELECT * FROM published.cx_cells;
GRANT SELECT ON published.cx_cells TO PUBLIC;
-- must fail: extending, weakening or emptying the policy
INSERT INTO exlink.protected_columns (pattern, reason) VALUES ('x', 'y');
DELETE FROM exlink.protected_columns;
UPDATE exlink.protected_columns SET pattern = 'nothing';
-- must fail: reading or forging the registry
SELECT * FROM exlink.publications;
INSERT INTO exlink.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced)
VALUES ('published.cx_cells', 'live', 'published.cx_cells', 'x', '{}', '{}', false, 2, '{}', false);
-- must fail: auditing (the custodian's tool), reading the sources
SELECT * FROM exlink.audit_view('published.cx_cells');
SELECT count(*) FROM linked.stores;
-- The policy itself is readable (what is refused is no secret).
SELECT count(*) >= 14 AS policy_readable FROM exlink.protected_columns;
RESET ROLE;

-- Privileges of the shipped objects: nothing of the custodian's is executable by PUBLIC.
SELECT p.oid::regprocedure AS function_, has_function_privilege('regress_analyst', p.oid, 'EXECUTE') AS analyst_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'exlink'::regnamespace
   AND p.proname IN ('publish', 'unpublish', 'audit_view')
 ORDER BY 1::text COLLATE "C";
SELECT c.relname, has_table_privilege('regress_analyst', c.oid, 'SELECT') AS analyst_select,
       has_table_privilege('regress_analyst', c.oid, 'INSERT') AS analyst_insert
  FROM pg_class c WHERE c.relnamespace = 'exlink'::regnamespace AND c.relname IN ('publications', 'protected_columns')
 ORDER BY c.relname COLLATE "C";
-- The control file is not trusted: a non-superuser cannot install exlink.
SELECT DISTINCT trusted, superuser FROM pg_available_extension_versions WHERE name = 'exlink';
-- SECURITY DEFINER functions of the guard: none (every guard function runs as its caller);
-- every plpgsql/sql function pins its search_path.
SELECT p.proname, p.prosecdef, p.proconfig FROM pg_proc p
 WHERE p.pronamespace = 'exlink'::regnamespace
   AND p.proname IN ('publish', 'unpublish', 'audit_view', 'complementary_suppression', 'policy_violation', 'untrusted_code')
 ORDER BY p.proname COLLATE "C";

-- must fail: a data owner makes the custodian run its code.  Reading a view runs the functions of
-- its current definition as the reader, and a table's row-security policies run as the reader
-- too: an owner's source would run the owner's code with the custodian's rights at publish and
-- at every refresh (here: count the registry, which the owner cannot read).  publish refuses it.
GRANT CREATE ON DATABASE :"DBNAME" TO regress_hr_owner;
SET ROLE regress_hr_owner;
CREATE SCHEMA hr_trojan;
CREATE TABLE hr_trojan.loot (who name, registry_rows bigint);
GRANT INSERT ON hr_trojan.loot TO PUBLIC;
CREATE FUNCTION hr_trojan.steal() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hr_trojan.loot SELECT current_user, (SELECT count(*) FROM exlink.publications);
    RETURN true;
EXCEPTION WHEN OTHERS THEN RETURN true;
END $$;
CREATE TABLE hr_trojan.staff (team text, employee text, score float8);
INSERT INTO hr_trojan.staff SELECT 't' || (i % 2), 'e' || i, i FROM generate_series(1, 20) i;
CREATE VIEW hr_trojan.linked AS SELECT * FROM hr_trojan.staff WHERE hr_trojan.steal();
CREATE TABLE hr_trojan.guarded (LIKE hr_trojan.staff);
INSERT INTO hr_trojan.guarded SELECT * FROM hr_trojan.staff;
ALTER TABLE hr_trojan.guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY steal ON hr_trojan.guarded USING (hr_trojan.steal());
GRANT USAGE ON SCHEMA hr_trojan TO regress_custodian;
GRANT SELECT ON hr_trojan.staff, hr_trojan.linked, hr_trojan.guarded TO regress_custodian;
RESET ROLE;
SET ROLE regress_custodian;
\set VERBOSITY default
SELECT exlink.publish('published.hr_view', 'hr_trojan.linked', 'employee', '{team}', '{score}');
SELECT exlink.publish('published.hr_rls', 'hr_trojan.guarded', 'employee', '{team}', '{score}');
\set VERBOSITY terse
-- the custodian's own view calling the owner's function (which its owner can replace): refused
CREATE VIEW linked.hr_mine AS SELECT * FROM hr_trojan.staff WHERE hr_trojan.steal();
SELECT exlink.publish('published.hr_mine', 'linked.hr_mine', 'employee', '{team}', '{score}');
-- the custodian's own view over the owner's plain table: allowed
CREATE VIEW linked.hr_plain AS SELECT * FROM hr_trojan.staff;
SELECT exlink.publish('published.hr_plain', 'linked.hr_plain', 'employee', '{team}', '{score}');
SELECT exlink.unpublish('published.hr_plain');
-- a materialized view of the owner's runs none of its definition when read: allowed
SET ROLE regress_hr_owner;
CREATE MATERIALIZED VIEW hr_trojan.snapshot AS SELECT * FROM hr_trojan.staff WHERE hr_trojan.steal();
GRANT SELECT ON hr_trojan.snapshot TO regress_custodian;
SET ROLE regress_custodian;
SELECT exlink.publish('published.hr_snapshot', 'hr_trojan.snapshot', 'employee', '{team}', '{score}');
SELECT exlink.unpublish('published.hr_snapshot');
DROP VIEW linked.hr_mine, linked.hr_plain;
RESET ROLE;
SELECT who, count(*) AS code_runs FROM hr_trojan.loot GROUP BY who ORDER BY who COLLATE "C";
DROP SCHEMA hr_trojan CASCADE;
REVOKE CREATE ON DATABASE :"DBNAME" FROM regress_hr_owner;
