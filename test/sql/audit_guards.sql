-- audit_view knows every guard: each exlink aggregate taking a member argument (a text
-- argument) is a k guard, so a view calling it must not be reported as 'no k guard'.  A new
-- guarded aggregate that audit_view does not know makes this test list it.
CREATE SCHEMA audit_guards;
CREATE TABLE audit_guards.one AS SELECT 1 AS x;
DO $$
DECLARE
    agg regprocedure;
    args text;
BEGIN
    FOR agg, args IN
        SELECT p.oid, string_agg(format('NULL::%s', format_type(t.typ, NULL)), ', ' ORDER BY t.o)
          FROM pg_proc p, unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(typ, o)
         WHERE p.pronamespace = 'exlink'::regnamespace AND p.prokind = 'a'
           AND 'text'::regtype = ANY (p.proargtypes::oid[])
         GROUP BY p.oid
    LOOP
        EXECUTE format('CREATE VIEW audit_guards.%I AS SELECT %s.%I(%s) AS figure FROM audit_guards.one',
                       'v_' || agg::oid, 'exlink', (SELECT proname FROM pg_proc WHERE oid = agg), args);
    END LOOP;
END
$$;
-- at least the 15 guarded aggregates of 0.1.0 are checked
SELECT count(*) >= 15 AS enough_checked FROM pg_class c
 WHERE c.relnamespace = 'audit_guards'::regnamespace AND c.relkind = 'v';
-- must be empty: guarded aggregates audit_view does not know
SELECT (SELECT d.refobjid::regprocedure::text
          FROM pg_rewrite rw
          JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                          AND d.refclassid = 'pg_proc'::regclass
          JOIN pg_proc f ON f.oid = d.refobjid AND f.prokind = 'a'
         WHERE rw.ev_class = c.oid) AS unknown_guard
  FROM pg_class c
 WHERE c.relnamespace = 'audit_guards'::regnamespace AND c.relkind = 'v'
   AND EXISTS (SELECT 1 FROM exlink.audit_view(c.oid) a WHERE a.violation = 'no k guard')
 ORDER BY 1;
SET client_min_messages = warning;
DROP SCHEMA audit_guards CASCADE;
RESET client_min_messages;
