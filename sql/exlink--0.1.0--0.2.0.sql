-- exlink upgrade 0.1.0 -> 0.2.0.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Every change to an SQL object in sql/parts/ since 0.1.0 is repeated here, so that
-- ALTER EXTENSION exlink UPDATE gives the same catalog as a fresh 0.2.0 install
-- (test/shell/upgrade.sh compares them object by object).
\echo Use "ALTER EXTENSION exlink UPDATE TO '0.2.0'" to load this file. \quit

-- ---- architecture (issue 10): one release decision, publish split into parts -------------
-- exlink.release_status (the C release policy as SQL), exlink.check_publishable (publish's
-- policy checks), exlink.suppress_cells (complementary suppression over the policy's decisions;
-- complementary_suppression now calls it), exlink.publish_query (the query builder); publish
-- uses the three; audit_view knows suppress_cells and release_status as guards.
CREATE FUNCTION @extschema@.release_status(members bigint, k integer, max_member_share float8 DEFAULT NULL, changed_members bigint DEFAULT NULL)
RETURNS text
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'exlink_release_status';
COMMENT ON FUNCTION @extschema@.release_status(bigint, integer, float8, bigint) IS
    'The release decision every exlink figure goes through: ''ok'', or ''suppressed: <reason>'' (fewer than max(k, exlink.min_group_size) distinct members). NULL members, share or changed members: not known.';

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

CREATE FUNCTION @extschema@.suppress_cells(cells text[], parents text[], members bigint[], released boolean[], k integer)
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
    IF coalesce(pg_catalog.array_length(released, 1), 0) <> n THEN
        RAISE EXCEPTION 'released must have one entry per cell' USING ERRCODE = '22023';
    END IF;
    IF n = 0 THEN
        RETURN '{}'::text[];
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(cells) AS c) <> n OR pg_catalog.array_position(cells, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'cell keys must be unique and not null' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.array_agg(p.i ORDER BY c.i), pg_catalog.array_agg(NOT coalesce(c.r, false) ORDER BY c.i)
      INTO parent_idx, supp
      FROM unnest(cells, parents, members, released) WITH ORDINALITY AS c(key, parent, m, r, i)
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
COMMENT ON FUNCTION @extschema@.suppress_cells(text[], text[], bigint[], boolean[], integer) IS
    'Keys of the cells that may be released along a hierarchy (cells, their parents, their exact distinct-member counts, whether the release policy releases each cell on its own) under complementary suppression at k.';

CREATE OR REPLACE FUNCTION @extschema@.complementary_suppression(cells text[], parents text[], members bigint[], k integer)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT @extschema@.suppress_cells(cells, parents, members,
               ARRAY(SELECT coalesce(t.m, 0) OPERATOR(pg_catalog.>=) k FROM pg_catalog.unnest(members) WITH ORDINALITY AS t(m, i) ORDER BY t.i), k)
$fn$;

CREATE FUNCTION @extschema@.publish_query(
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kk integer := coalesce(k, @extschema@.min_group_size());
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    dim_list text;
    dim_sel text;
    dim_out text;
    level_expr text;
    key_args text;
    parent_expr text;
    where_expr text;
    vals text;
    finite text;
    means_out text := '';
    group_expr text;
    src_cte text;
    cells_cte text;
    keyed_cte text;
    released_cte text;
BEGIN
    IF source IS NULL OR member_column IS NULL OR measures IS NULL OR rollup IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_query arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF kk < 2 OR kk > 1000 THEN
        RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
    END IF;

    SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('c.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('(1 - GROUPING(%I))', d), ' + ' ORDER BY o)
      INTO dim_sel, dim_list, dim_out, level_expr
      FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);

    -- src: complete rows only.
    where_expr := pg_catalog.format('s.%I IS NOT NULL AND s.%I::text <> %L', member_column, member_column, '');
    IF nm > 0 THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(' AND s.%I::float8 > %L::float8 AND s.%I::float8 < %L::float8',
                                                       m, '-Infinity', m, 'Infinity'), '' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(c.moments))[%s] AS %I', o, 'mean_' || m), '' ORDER BY o)
          INTO vals, finite, means_out
          FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o);
        where_expr := where_expr || finite;
    END IF;
    src_cte := pg_catalog.format($q$
WITH src AS (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s)$q$,
        dim_sel, member_column,
        CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
        source::text, where_expr);

    -- cells: the grouping, and the parent of each cell.
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
    cells_cte := pg_catalog.format($q$,
cells AS (
    SELECT %1$s AS level, %2$s,
           pg_catalog.count(*) AS responses, pg_catalog.count(DISTINCT src.exlink_member) AS members%3$s
      FROM src GROUP BY %4$s)$q$,
        level_expr, dim_list,
        CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s) AS moments', kk) ELSE '' END,
        group_expr);

    -- keyed: keys, and the release policy's decision on each cell on its own.
    keyed_cte := pg_catalog.format($q$,
keyed AS MATERIALIZED (
    SELECT c.*, c.level || ':' || pg_catalog.jsonb_build_array(%1$s)::text AS cell, %2$s AS parent,
           @extschema@.release_status(c.members, %3$s) AS release
      FROM cells AS c)$q$,
        dim_out, parent_expr, kk);

    -- released: complementary suppression over the policy's decisions.
    released_cte := pg_catalog.format($q$,
released AS (
    SELECT pg_catalog.unnest(@extschema@.suppress_cells(
               pg_catalog.array_agg(k.cell), pg_catalog.array_agg(k.parent), pg_catalog.array_agg(k.members),
               pg_catalog.array_agg(k.release = 'ok'), GREATEST(%1$s, @extschema@.min_group_size()))) AS cell
      FROM keyed AS k)$q$,
        kk);

    RETURN src_cte || cells_cte || keyed_cte || released_cte || pg_catalog.format($q$
SELECT %1$s, c.level, c.cell, c.responses, c.members%2$s%3$s
  FROM keyed AS c
 WHERE c.cell IN (SELECT released.cell FROM released)%4$s$q$,
        dim_out, means_out,
        CASE WHEN nm > 0 THEN ', c.moments' ELSE '' END,
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND c.level = %s', nd) END);
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_query(regclass, name, name[], name[], integer, boolean) IS
    'The SELECT exlink.publish would publish for these arguments (released cells only), without running it or checking the policy.';

CREATE OR REPLACE FUNCTION @extschema@.publish(
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
    other record;
    overlapping boolean;
    q text;
    obj regclass;
    r name;
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

    -- The policy (exlink.check_publishable raises the refusal).
    PERFORM @extschema@.check_publishable(source, member_column, dimensions, measures);
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

    -- The query (exlink.publish_query), then the DDL.
    q := @extschema@.publish_query(source, member_column, dimensions, measures, kk, rollup);
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

CREATE OR REPLACE FUNCTION @extschema@.audit_view(target regclass)
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
                                         'complementary_suppression', 'suppress_cells', 'release_status')
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
-- Driver prioritization under uncertainty (issue 12, item 5): exlink.driver_priority.

CREATE FUNCTION @extschema@.driver_priority(model @extschema@.driver_model, draws integer DEFAULT 10000,
                                            seed bigint DEFAULT 1, level float8 DEFAULT 0.95,
                                            signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_model';
COMMENT ON FUNCTION @extschema@.driver_priority(@extschema@.driver_model, integer, bigint, float8, boolean) IS
    'Per driver of a key-driver model: importance (|beta|, or beta when signed), its rank, the probability that it is the most important, its mean rank and an interval of its rank, from seeded draws of the betas (multivariate t with the model''s covariance and degrees of freedom); the same model and seed give the same figures.';

CREATE FUNCTION @extschema@.driver_priority(names text[], beta float8[], vcov float8[], df float8 DEFAULT NULL,
                                            draws integer DEFAULT 10000, seed bigint DEFAULT 1,
                                            level float8 DEFAULT 0.95, signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_arrays';
COMMENT ON FUNCTION @extschema@.driver_priority(text[], float8[], float8[], float8, integer, bigint, float8, boolean) IS
    'driver_priority for betas and their covariance (q x q) from any source; df NULL or Infinity draws from a normal, else from a multivariate t.';

-- Employee-clustered inference (issue 12): cluster-robust CR1 p-values and intervals for the
-- member forms of linked_correlation and driver_weights; new result fields at the end of the
-- composite types; an explicit inference argument; the cluster summary in exlink.moments.
ALTER TYPE @extschema@.correlation ADD ATTRIBUTE clusters bigint;
ALTER TYPE @extschema@.correlation ADD ATTRIBUTE inference text;
ALTER TYPE @extschema@.driver ADD ATTRIBUTE ci_low float8;
ALTER TYPE @extschema@.driver ADD ATTRIBUTE ci_high float8;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE clusters bigint;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE df float8;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE inference text;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE vcov float8[];
COMMENT ON TYPE @extschema@.correlation IS
    'A correlation with inference: n, members (NULL when unknown), r, t, df, two-sided p, Fisher-z interval at level, suppressed, status (ok or why figures are NULL), rows skipped, clusters (distinct members behind cluster-robust inference, else NULL) and the inference used (cluster-robust CR1, independent rows, or unavailable: why).';
COMMENT ON TYPE @extschema@.driver IS
    'One driver of a key-driver model: standardized beta, its standard error, t and p; Pratt measure; Johnson relative weight and its share of R² (%); Shapley/LMG value and share (%); rank by LMG (by relative weight when LMG is NULL); 95% interval of the beta.';
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests, the inference used, and the covariance matrix of the standardized betas.';
COMMENT ON TYPE @extschema@.moments IS
    'Sealed mergeable sufficient statistics of a float8 vector: n, means, co-moments, a lower bound on distinct members (never member hashes) and, when made with members from at most 16 variables, a fixed-size cluster summary for cluster-robust inference.';
COMMENT ON AGGREGATE @extschema@.merge(@extschema@.moments) IS
    'Union of exlink.moments values (exact pairwise merge); members is the largest lower bound among the inputs; cluster summaries add up (exact when no member is in two inputs).';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: add a (cx, ex) row and its member to a state, with a confidence level and the inference asked for.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: guarded Pearson correlation with the inference asked for, from a state.';
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text, level float8, inference text) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8, text) IS
    'Guarded Pearson correlation with the interval at a level and the inference asked for: ''cluster'' (cluster-robust CR1 by member, the default of the member forms) or ''independent'' (rows independent).';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text) IS
    'Guarded Pearson correlation with cluster-robust (CR1, by member) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8) IS
    'Guarded Pearson correlation with cluster-robust inference, the interval at a confidence level in (0, 1).';
CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer, level float8, inference text)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8, text) IS
    'Pearson correlation between variables i and j of a moments value, interval at a level, with the inference asked for (''cluster'' or ''independent'').';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer) IS
    'Pearson correlation with inference between variables i and j (1-based) of a moments value (cluster-robust when it carries a cluster summary); suppressed when its member lower bound is below exlink.min_group_size.';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) IS 'Aggregate support: add a row and its member to a state carrying driver names and the inference asked for.';
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text) IS
    'Guarded key-driver analysis with driver names (NULL for x1..xq) and the inference asked for: ''cluster'' (cluster-robust CR1 by member, the default of the member forms) or ''independent''.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text) IS
    'Guarded key-driver analysis with cluster-robust (CR1, by member) standard errors: all figures NULL and suppressed = true unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[], inference text) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[], text) IS
    'Key-driver analysis of a moments value with driver names (NULL for x1..xq) and the inference asked for (''cluster'' or ''independent'').';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments) IS
    'Key-driver analysis of a moments value (a published cell or a merge of cells): variable 1 is the outcome, the others the drivers x1..xq; cluster-robust when it carries a cluster summary; suppressed when its member lower bound is below exlink.min_group_size.';
DROP FUNCTION @extschema@.drivers(@extschema@.driver_model);
CREATE FUNCTION @extschema@.drivers(m @extschema@.driver_model)
    RETURNS TABLE (ordinal integer, name text, beta float8, beta_se float8, t float8, p_value float8,
                   pratt float8, relative_weight float8, relative_weight_share float8,
                   lmg float8, lmg_share float8, rank integer,
                   n bigint, members bigint, r2 float8, adj_r2 float8, condition_number float8,
                   suppressed boolean, status text,
                   ci_low float8, ci_high float8, clusters bigint, df float8, inference text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT d.ordinal::integer, d.name, d.beta, d.beta_se, d.t, d.p_value, d.pratt,
           d.relative_weight, d.relative_weight_share, d.lmg, d.lmg_share, d.rank,
           ($1).n, ($1).members, ($1).r2, ($1).adj_r2, ($1).condition_number,
           ($1).suppressed, ($1).status,
           d.ci_low, d.ci_high, ($1).clusters, ($1).df, ($1).inference
      FROM pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, ordinal)
     ORDER BY d.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.drivers(@extschema@.driver_model) IS
    'One plain row per driver of a key-driver model (in input order, with ordinal), repeating the model''s n, members, R², adjusted R², condition number, suppressed and status; then the beta''s interval, clusters, df and inference.';
-- audit_view: the new member forms (inference argument) are k guards too.
CREATE OR REPLACE FUNCTION @extschema@.audit_view(target regclass)
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
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text)'::regprocedure)))
      INTO guarded;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;

-- Clustered inference: exlink.split_members, the nesting check for published cells.
CREATE FUNCTION @extschema@.split_members(source regclass, member_column name, dimensions name[])
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $fn$
DECLARE
    dims text;
    n bigint;
BEGIN
    IF source IS NULL OR member_column IS NULL OR dimensions IS NULL THEN
        RAISE EXCEPTION 'source, member column and dimensions must not be null' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.cardinality(dimensions) = 0 THEN
        RETURN 0;
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o)
      INTO dims FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS u(d, o);
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.count(*) FROM (SELECT 1 FROM %s WHERE %I IS NOT NULL AND %I::pg_catalog.text <> '''''
        ' GROUP BY %I HAVING pg_catalog.count(DISTINCT ROW(%s)) > 1) s',
        source, member_column, member_column, member_column, dims)
      INTO n;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION @extschema@.split_members(regclass, name, name[]) IS
    'Members of source whose rows fall into more than one cell of the given dimensions (0: members are nested in the cells, so merged cluster summaries give exact clustered inference). Custodian tool (reads the raw source, as the caller).';
REVOKE ALL ON FUNCTION @extschema@.split_members(regclass, name, name[]) FROM PUBLIC;

-- BI: audit_view recognises views (and materialized views) that read only publications.
CREATE OR REPLACE FUNCTION @extschema@.audit_view(target regclass)
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
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text)'::regprocedure)))
      INTO guarded;
    -- Or a view that reads only publications: every relation it reads (through views and
    -- materialized views, recursively) is a registered publication, and every function it
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
               AND NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = r.rel))
        SELECT EXISTS (SELECT 1 FROM reads r JOIN @extschema@.publications p ON p.object = r.rel)
           AND NOT EXISTS (SELECT 1 FROM reads r JOIN pg_catalog.pg_class c ON c.oid = r.rel
                            WHERE c.relkind NOT IN ('v', 'm')
                              AND NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = r.rel))
           AND NOT EXISTS (SELECT 1 FROM reads r
                             JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.rel
                             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                        AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                             JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                            WHERE f.pronamespace <> '@extschema@'::regnamespace
                              AND NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = r.rel))
           AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.depth >= 32)
          INTO guarded;
    END IF;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.audit_view(regclass) IS
    'Violations of a view or materialized view: protected columns, raw member or pseudonym columns, protected source columns read, no k guard (neither a publication, a view reading only publications, nor a view using an exlink guard; no rows: none found).';
