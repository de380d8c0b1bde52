-- Rule: analysts cannot publish, unpublish, refresh, audit, change the policy or read the
-- registry or the sources; the custodian can.  As the analyst.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET ROLE regress_analyst;
-- must fail: calling publish
SELECT exlink.publish('published.mine', 'published.cx_cells', 'members', '{region}', '{}');
SELECT exlink.publish('pg_temp.mine', 'linked.cx', 'employee', '{team}', '{csat}');
-- must fail: unpublish, refresh, drop, alter or grant on a publication
SELECT exlink.unpublish('published.cx_cells');
REFRESH MATERIALIZED VIEW published.cx_cells;
DROP MATERIALIZED VIEW published.cx_cells;
ALTER MATERIALIZED VIEW published.cx_cells RENAME TO x;
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
SELECT trusted, superuser FROM pg_available_extension_versions WHERE name = 'exlink';
-- SECURITY DEFINER functions of the guard: none (every guard function runs as its caller);
-- every plpgsql/sql function pins its search_path.
SELECT p.proname, p.prosecdef, p.proconfig FROM pg_proc p
 WHERE p.pronamespace = 'exlink'::regnamespace
   AND p.proname IN ('publish', 'unpublish', 'audit_view', 'complementary_suppression', 'policy_violation')
 ORDER BY p.proname COLLATE "C";
