-- Audit: the violations of an existing view or materialized view (protected or member columns,
-- protected source columns read, no k guard).  Every aggregate taking a member argument must be
-- known here as a guard: test/sql/audit_guards.sql fails when one is missing.

-- The violations of an existing view or materialized view.
CREATE FUNCTION @extschema@.audit_view(target regclass)
RETURNS TABLE (column_name name, violation text, detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    guarded boolean;
    -- Registered objects: publications and results tables (guarded by construction).
    registered oid[] := ARRAY(SELECT p.object::oid FROM @extschema@.publications p
                              UNION ALL SELECT rt.object::oid FROM @extschema@.result_tables rt);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = target AND (c.relkind IN ('v', 'm') OR c.oid = ANY (registered))) THEN
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
    -- A guard: a registered publication or results table, or a view that calls an exlink guard.
    SELECT target::oid = ANY (registered)
        OR EXISTS (SELECT 1
                     FROM pg_catalog.pg_rewrite rw
                     JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                     JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                    WHERE rw.ev_class = target
                      AND f.pronamespace = '@extschema@'::regnamespace
                      AND (f.proname IN ('members_at_least', 'guarded_avg', 'guarded_count', 'nps',
                                         'complementary_suppression', 'suppress_cells', 'release_status')
                           OR f.oid IN ('@extschema@.moments(float8[], text)'::regprocedure,
                                        '@extschema@.moments(float8[], text, integer)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[])'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8, text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text, text[])'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text, text[], integer, bigint)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text, text[], text)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8, text, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8, text, text)'::regprocedure,
                                        '@extschema@.driver_weights_cells(@extschema@.moments, text)'::regprocedure,
                                        '@extschema@.driver_weights_cells(@extschema@.moments, text, text[], text)'::regprocedure)))
      INTO guarded;
    -- Or a view that reads only publications: every relation it reads (through views and
    -- materialized views, recursively) is a registered publication or results table, and every function it
    -- calls that is not built in is exlink's (built-in functions leave no pg_depend entry).
    -- Such a view sees released cells only, whatever it computes from them.
    IF NOT guarded THEN
        WITH RECURSIVE reads(rel, depth) AS (
            SELECT target::oid, 0
            UNION
            SELECT d.refobjid, r.depth + 1
              FROM reads r
              JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.rel
              JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                         AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.rel
             WHERE r.depth < 32
               AND NOT r.rel = ANY (registered))
        SELECT EXISTS (SELECT 1 FROM reads r WHERE r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r JOIN pg_catalog.pg_class c ON c.oid = r.rel
                            WHERE c.relkind NOT IN ('v', 'm')
                              AND NOT r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r
                             JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.rel
                             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                        AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                             JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                            WHERE f.pronamespace <> '@extschema@'::regnamespace
                              AND NOT r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.depth >= 32)
          INTO guarded;
    END IF;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication or results table, a view reading only those, nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.audit_view(regclass) IS
    'Violations of a view or materialized view: protected columns, raw member or pseudonym columns, protected source columns read, no k guard (neither a publication or results table, a view reading only those, nor a view using an exlink guard; no rows: none found).';
REVOKE ALL ON FUNCTION @extschema@.audit_view(regclass) FROM PUBLIC;
