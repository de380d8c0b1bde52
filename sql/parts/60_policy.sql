-- Publication policy: which columns may never be published (protected_columns,
-- policy_violation), which sources may not be read (untrusted_code), and the check publish
-- runs on its arguments (check_publishable).
-- Every function here is SECURITY INVOKER (the caller needs the privileges the work needs:
-- reading the source, creating in the target schema) and runs with search_path = pg_catalog,
-- pg_temp so that nothing planted in public or pg_temp can shadow a name; every identifier
-- reaches dynamic SQL through format('%I') or a regclass.

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


-- The policy checks publish runs on its columns and source, in this order, each with its own
-- refusal: every column exists; the member column is not published; no dimension or measure is
-- protected; measures are numeric; no published column takes a reserved name or grows too long;
-- reading the source runs no untrusted code.  Raises on the first violation, else returns.
CREATE FUNCTION @extschema@.check_publishable(source regclass, member_column name, dimensions name[], measures name[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    col name;
    why text;
    typ oid;
BEGIN
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
END
$fn$;
COMMENT ON FUNCTION @extschema@.check_publishable(regclass, name, name[], name[]) IS
    'Raise the refusal exlink.publish would give for these columns of source (missing, member column published, protected, non-numeric measure, reserved or too long name, untrusted code), or return.';
