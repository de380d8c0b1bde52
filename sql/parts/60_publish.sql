-- Publication: protected-column policy, the registry, complementary suppression, publish,
-- unpublish and audit_view.  Every function here is SECURITY INVOKER (the caller needs the
-- privileges the work needs: reading the source, creating in the target schema) and runs with
-- search_path = pg_catalog, pg_temp so that nothing planted in public or pg_temp can shadow a
-- name; every identifier reaches dynamic SQL through format('%I') or a regclass.

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

-- The registry of publications.
CREATE TABLE @extschema@.publications (
    object regclass PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('materialized', 'live')),
    source regclass NOT NULL,
    member_column name NOT NULL,
    dimensions name[] NOT NULL,
    measures name[] NOT NULL,
    rollup boolean NOT NULL,
    k integer NOT NULL CHECK (k BETWEEN 2 AND 1000),
    grantees name[] NOT NULL,
    forced boolean NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.publications IS
    'Registry of guarded publications made by exlink.publish (object, source, member column, dimensions, measures, roll-up, baked k, grantees, who and when).';
COMMENT ON COLUMN @extschema@.publications.object IS 'The published (materialized) view.';
COMMENT ON COLUMN @extschema@.publications.kind IS '''materialized'' (released cells only) or ''live'' (security_barrier view, on explicit request).';
COMMENT ON COLUMN @extschema@.publications.source IS 'The relation the cells are computed from.';
COMMENT ON COLUMN @extschema@.publications.member_column IS 'The column whose distinct non-NULL, non-empty values are the members counted against k.';
COMMENT ON COLUMN @extschema@.publications.dimensions IS 'Grouping columns; with rollup, the hierarchy, coarsest first.';
COMMENT ON COLUMN @extschema@.publications.measures IS 'Measures whose means and moments are published per cell.';
COMMENT ON COLUMN @extschema@.publications.rollup IS 'Whether subtotals along the dimension hierarchy (and a grand total) are published.';
COMMENT ON COLUMN @extschema@.publications.k IS 'The threshold baked into the publication (the effective k is max(k, exlink.min_group_size) at refresh).';
COMMENT ON COLUMN @extschema@.publications.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.publications.forced IS 'Whether an overlapping grain of the same source was forced.';
COMMENT ON COLUMN @extschema@.publications.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.publications.published_at IS 'When it was published.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.publications', '');
REVOKE ALL ON @extschema@.publications FROM PUBLIC;

-- Complementary suppression over the cells of one hierarchy.  Cells are given as parallel arrays:
-- a key, the key of the parent cell (NULL at the top), and the cell's exact distinct-member count.
-- Returns the keys that may be released.  Rules, for every parent P with children C(P):
--   primary:  a cell with fewer than k members is suppressed;
--   P released: the suppressed children S are none, or at least two covering together at least
--     k members (lower bound: max(max |s|, |P| - sum of released children's members));
--   P suppressed: S is all of C(P), or at least two covering at least k members (so P is never
--     derivable from its children);
-- else the smallest released child (by members, then key) is suppressed too (or, when no child
-- is left to suppress, P), and everything is checked again until nothing changes, so the rules
-- propagate up and down the hierarchy.
CREATE FUNCTION @extschema@.complementary_suppression(cells text[], parents text[], members bigint[], k integer)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer := coalesce(pg_catalog.array_length(cells, 1), 0);
    parent_idx integer[];
    supp boolean[];
    victims integer[];
    v integer;
    rounds integer := 0;
BEGIN
    IF k IS NULL OR k < 2 THEN
        RAISE EXCEPTION 'k must be at least 2' USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.array_length(parents, 1), 0) <> n OR coalesce(pg_catalog.array_length(members, 1), 0) <> n THEN
        RAISE EXCEPTION 'cells, parents and members must have the same length' USING ERRCODE = '22023';
    END IF;
    IF n = 0 THEN
        RETURN '{}'::text[];
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(cells) AS c) <> n OR pg_catalog.array_position(cells, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'cell keys must be unique and not null' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.array_agg(p.i ORDER BY c.i), pg_catalog.array_agg(coalesce(c.m, 0) < k ORDER BY c.i)
      INTO parent_idx, supp
      FROM unnest(cells, parents, members) WITH ORDINALITY AS c(key, parent, m, i)
      LEFT JOIN pg_catalog.unnest(cells) WITH ORDINALITY AS p(key, i) ON p.key = c.parent;
    LOOP
        rounds := rounds + 1;
        WITH c AS (
            SELECT i, parent_idx[i] AS p, coalesce(members[i], 0) AS m, supp[i] AS s
              FROM pg_catalog.generate_subscripts(cells, 1) AS i),
        rel AS (
            SELECT c.p, pg_catalog.count(*) FILTER (WHERE c.s) AS ns, pg_catalog.count(*) AS nc,
                   coalesce(pg_catalog.max(c.m) FILTER (WHERE c.s), 0) AS maxs,
                   coalesce(pg_catalog.sum(c.m) FILTER (WHERE NOT c.s), 0) AS sumr
              FROM c WHERE c.p IS NOT NULL GROUP BY c.p),
        bad AS (
            SELECT rel.p FROM rel
             WHERE (NOT supp[rel.p] AND rel.ns >= 1
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))
                OR (supp[rel.p] AND rel.ns < rel.nc
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))),
        pick AS (
            SELECT DISTINCT ON (bad.p) bad.p, c.i
              FROM bad LEFT JOIN c ON c.p = bad.p AND NOT c.s
             ORDER BY bad.p, c.m NULLS LAST, cells[c.i] COLLATE "C")
        SELECT pg_catalog.array_agg(DISTINCT coalesce(pick.i, pick.p)) INTO victims FROM pick;
        EXIT WHEN victims IS NULL;
        FOREACH v IN ARRAY victims LOOP
            supp[v] := true;
        END LOOP;
        IF rounds > n + 1 THEN
            RAISE EXCEPTION 'complementary suppression did not converge' USING ERRCODE = 'XX000';
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT cells[i] FROM pg_catalog.generate_subscripts(cells, 1) AS i WHERE NOT supp[i] ORDER BY i);
END
$fn$;
COMMENT ON FUNCTION @extschema@.complementary_suppression(text[], text[], bigint[], integer) IS
    'Keys of the cells that may be released under primary (< k members) and complementary suppression along a hierarchy (cells, their parents, their exact distinct-member counts).';

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

CREATE FUNCTION @extschema@.publish(
    publication text,
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    grant_to name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false,
    live boolean DEFAULT false,
    force boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
    target text;
    kk integer;
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    col name;
    why text;
    typ oid;
    other record;
    overlapping boolean;
    dim_list text;
    dim_sel text;
    dim_out text;
    level_expr text;
    key_args text;
    parent_expr text;
    where_expr text;
    vals text;
    means_out text := '';
    group_expr text;
    q text;
    obj regclass;
    r name;
    i integer;
BEGIN
    IF publication IS NULL OR source IS NULL OR member_column IS NULL OR dimensions IS NULL OR measures IS NULL
       OR grant_to IS NULL OR rollup IS NULL OR live IS NULL OR force IS NULL THEN
        RAISE EXCEPTION 'exlink.publish arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    -- The target: exactly schema.name, parsed strictly (quoted identifiers allowed).
    BEGIN
        parts := pg_catalog.parse_ident(publication);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid publication name' USING ERRCODE = '22023',
            DETAIL = 'The name must be schema.name, with double quotes around unusual identifiers.';
    END;
    IF pg_catalog.array_length(parts, 1) <> 2 THEN
        RAISE EXCEPTION 'publication name must be schema.name' USING ERRCODE = '22023',
            HINT = 'Write schema.name.';
    END IF;
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);

    -- k: the setting by default, never lower.
    kk := @extschema@.min_group_size();
    IF k IS NOT NULL THEN
        IF k < kk THEN
            RAISE EXCEPTION 'k cannot be lower than exlink.min_group_size' USING ERRCODE = '42501',
                DETAIL = pg_catalog.format('Asked for %s; the server requires at least %s.', k, kk);
        END IF;
        IF k > 1000 THEN
            RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
        END IF;
        kk := k;
    END IF;

    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF nm > 64 THEN
        RAISE EXCEPTION 'at most 64 measures can be published' USING ERRCODE = '54000';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(dimensions || measures) c) <> nd + nm THEN
        RAISE EXCEPTION 'dimensions and measures must be distinct columns' USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = source AND c.relkind IN ('r', 'v', 'm', 'p', 'f')) THEN
        RAISE EXCEPTION 'source must be a table, view, materialized view or foreign table' USING ERRCODE = '22023';
    END IF;

    -- Columns exist; policy.
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
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;

    -- Registry rows of publications dropped without unpublish are stale: forget them.
    DELETE FROM @extschema@.publications p
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);

    -- Overlapping grains of one source can be subtracted from each other: refuse unless forced.
    -- (A different k at the same grain suppresses different complements: also a different grain.
    -- So are other measures or another member column: listwise deletion keeps other rows, and
    -- the same cell published over two row sets differs by the rows of a few members.  A live
    -- and a materialized twin of one grain differ by every change since the last refresh.)
    SELECT p.object, p.kind, p.dimensions, p.rollup, p.k, p.measures, p.member_column INTO other
      FROM @extschema@.publications p
     WHERE p.source = publish.source
       AND (p.dimensions <> publish.dimensions OR p.rollup <> publish.rollup OR p.k <> kk
            OR p.member_column <> publish.member_column
            OR (p.kind = 'live') <> publish.live
            OR NOT (p.measures @> publish.measures AND p.measures <@ publish.measures))
     ORDER BY p.published_at LIMIT 1;
    overlapping := FOUND;
    IF overlapping AND NOT force THEN
        RAISE EXCEPTION 'another publication of the same source overlaps this one'
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('%s (%s) publishes %s by (%s)%s, k = %s, members %s, measures (%s); figures of two overlapping grains (or of one grain over two row sets, or a live and a materialized twin) can be subtracted from each other to reveal suppressed cells, which complementary suppression within one publication cannot prevent.',
                                       other.object, other.kind, source, pg_catalog.array_to_string(other.dimensions, ', '),
                                       CASE WHEN other.rollup THEN ' with roll-up' ELSE '' END, other.k,
                                       pg_catalog.quote_ident(other.member_column), pg_catalog.array_to_string(other.measures, ', ')),
            HINT = 'Publish one hierarchy with rollup => true (its levels are protected together), unpublish the other, or pass force => true if no analyst can read both.';
    END IF;

    -- The query.  Every identifier through %I; k is an integer.  keyed is MATERIALIZED: a fence
    -- so that no qual of an analyst querying a live view is ever pushed down into the source scan
    -- (a filtered source would be a second, overlapping grain, open to differencing).
    SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('c.%I', d), ', ' ORDER BY o)
      INTO dim_sel, dim_list, dim_out
      FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    where_expr := pg_catalog.format('s.%I IS NOT NULL AND s.%I::text <> %L', member_column, member_column, '');
    IF nm > 0 THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(' AND s.%I::float8 > %L::float8 AND s.%I::float8 < %L::float8',
                                                       m, '-Infinity', m, 'Infinity'), '' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(c.moments))[%s] AS %I', o, 'mean_' || m), '' ORDER BY o)
          INTO vals, q, means_out
          FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o);
        where_expr := where_expr || q;
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('(1 - GROUPING(%I))', d), ' + ' ORDER BY o)
      INTO level_expr FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    IF rollup THEN
        group_expr := 'ROLLUP (' || dim_list || ')';
        -- The parent of a cell at level L is the cell at level L - 1 with dimension L blanked.
        parent_expr := 'CASE c.level';
        FOR i IN 1..nd LOOP
            SELECT pg_catalog.string_agg(CASE WHEN o < i THEN pg_catalog.format('c.%I', d) ELSE 'NULL' END, ', ' ORDER BY o)
              INTO key_args FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
            parent_expr := parent_expr || pg_catalog.format(' WHEN %s THEN %L || pg_catalog.jsonb_build_array(%s)::text', i, (i - 1) || ':', key_args);
        END LOOP;
        parent_expr := parent_expr || ' END';
    ELSE
        -- Without roll-up the grand total is still computed, as the (unpublished) parent of every
        -- cell: the total row count of a source is visible to everyone in pg_class.reltuples and
        -- pg_stat_user_tables, so total minus the released cells must not isolate a small group.
        group_expr := 'GROUPING SETS ((' || dim_list || '), ())';
        SELECT pg_catalog.format('CASE c.level WHEN %s THEN %L || pg_catalog.jsonb_build_array(%s)::text END',
                                 nd, '0:', pg_catalog.string_agg('NULL', ', '))
          INTO parent_expr FROM pg_catalog.generate_series(1, nd);
    END IF;

    q := pg_catalog.format($q$
WITH src AS (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s),
cells AS (
    SELECT %6$s AS level, %7$s,
           pg_catalog.count(*) AS responses, pg_catalog.count(DISTINCT src.exlink_member) AS members%8$s
      FROM src GROUP BY %9$s),
keyed AS MATERIALIZED (
    SELECT c.*, c.level || ':' || pg_catalog.jsonb_build_array(%10$s)::text AS cell, %11$s AS parent
      FROM cells AS c),
released AS (
    SELECT pg_catalog.unnest(@extschema@.complementary_suppression(
               pg_catalog.array_agg(k.cell), pg_catalog.array_agg(k.parent), pg_catalog.array_agg(k.members),
               GREATEST(%12$s, @extschema@.min_group_size()))) AS cell
      FROM keyed AS k)
SELECT %10$s, c.level, c.cell, c.responses, c.members%13$s%14$s
  FROM keyed AS c
 WHERE c.cell IN (SELECT released.cell FROM released)%15$s$q$,
        dim_sel, member_column,
        CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
        source::text, where_expr,
        level_expr, dim_list,
        CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s) AS moments', kk) ELSE '' END,
        group_expr, dim_out, parent_expr, kk,
        means_out,
        CASE WHEN nm > 0 THEN ', c.moments' ELSE '' END,
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND c.level = %s', nd) END);

    IF live THEN
        EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s', target, q);
    ELSE
        EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s', target, q);
        EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(parts[2], 50) || '_cell', target);
    END IF;
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON %s %s IS %L', CASE WHEN live THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, target,
        pg_catalog.format('exlink publication of %s by (%s), k = %s%s', source, pg_catalog.array_to_string(dimensions, ', '), kk,
                          CASE WHEN rollup THEN ', with roll-up and complementary suppression' ELSE '' END));

    INSERT INTO @extschema@.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced)
    VALUES (obj, CASE WHEN live THEN 'live' ELSE 'materialized' END, source, member_column, dimensions, measures,
            rollup, kk, grant_to, force AND overlapping);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) IS
    'Custodian only: publish the cells of source by dimensions that cover at least k distinct members (with roll-up and complementary suppression on request) as a materialized view, or a security_barrier view when live => true.';
REVOKE ALL ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) FROM PUBLIC;

CREATE FUNCTION @extschema@.unpublish(publication regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind_ text;
BEGIN
    SELECT p.kind INTO kind_ FROM @extschema@.publications p WHERE p.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    DELETE FROM @extschema@.publications p WHERE p.object = publication;
    EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN kind_ = 'live' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, publication);
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish(regclass) IS
    'Custodian only: drop a publication and its registry entry (the caller must own it).';
REVOKE ALL ON FUNCTION @extschema@.unpublish(regclass) FROM PUBLIC;

-- The violations of an existing view or materialized view.
CREATE FUNCTION @extschema@.audit_view(target regclass)
RETURNS TABLE (column_name name, violation text, detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    guarded boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = target AND c.relkind IN ('v', 'm')) THEN
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
    -- A guard: a registered publication, or a view that calls an exlink guard.
    SELECT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = target)
        OR EXISTS (SELECT 1
                     FROM pg_catalog.pg_rewrite rw
                     JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                     JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                    WHERE rw.ev_class = target
                      AND f.pronamespace = '@extschema@'::regnamespace
                      AND (f.proname IN ('members_at_least', 'guarded_avg', 'guarded_count', 'nps',
                                         'complementary_suppression')
                           OR f.oid IN ('@extschema@.moments(float8[], text)'::regprocedure,
                                        '@extschema@.moments(float8[], text, integer)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[])'::regprocedure)))
      INTO guarded;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.audit_view(regclass) IS
    'Violations of a view or materialized view: protected columns, raw member or pseudonym columns, protected source columns read, no k guard (no rows: none found).';
REVOKE ALL ON FUNCTION @extschema@.audit_view(regclass) FROM PUBLIC;
