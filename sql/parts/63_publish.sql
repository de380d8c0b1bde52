-- Publication: publish (arguments, policy, overlap with other publications, the query from
-- exlink.publish_query, the DDL, the registry entry in exlink.publications) and unpublish.
-- SECURITY INVOKER, search_path = pg_catalog, pg_temp, identifiers through format('%I') or a
-- regclass.  Functions only, so that the upgrade script includes this part as it is.

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
    other record;
    overlapping boolean;
    q text;
    obj regclass;
    r name;
    key text;
    share float8 := @extschema@.max_member_share();
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

    -- Registry rows of publications dropped without unpublish are stale: forget them (their
    -- released cells and ledger too).
    DELETE FROM @extschema@.publications p
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);
    DELETE FROM @extschema@.released_cells rc
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = rc.release_key);
    DELETE FROM @extschema@.release_ledger l
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = l.release_key);

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
    IF live THEN
        q := @extschema@.publish_query(source, member_column, dimensions, measures, kk, rollup);
        EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s', target, q);
    ELSE
        -- The first release goes through the guard of every refresh (exlink.release_cells);
        -- the view shows what it released.
        key := pg_catalog.gen_random_uuid()::text;
        PERFORM @extschema@.release_cells(key, source, member_column, dimensions, measures, kk, share, rollup);
        EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s', target,
                                  @extschema@.released_query(key, source, dimensions, measures));
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

    INSERT INTO @extschema@.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced,
                                          max_member_share, release_key)
    VALUES (obj, CASE WHEN live THEN 'live' ELSE 'materialized' END, source, member_column, dimensions, measures,
            rollup, kk, grant_to, force AND overlapping, share, key);
    PERFORM @extschema@.comment_columns(obj, obj, 'cells');   -- 69_bi.sql
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
    rt regclass;
BEGIN
    -- A results table: drop it (its results leave released_cells at the next refresh).
    IF EXISTS (SELECT 1 FROM @extschema@.result_tables t WHERE t.object = unpublish.publication) THEN
        DELETE FROM @extschema@.result_tables t WHERE t.object = unpublish.publication;
        EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', publication);
        RETURN;
    END IF;
    SELECT p.kind INTO kind_ FROM @extschema@.publications p WHERE p.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    -- Its results tables go with it.
    FOR rt IN SELECT t.object FROM @extschema@.result_tables t WHERE t.publication = unpublish.publication LOOP
        DELETE FROM @extschema@.result_tables t WHERE t.object = rt;
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt) THEN
            EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', rt);
        END IF;
    END LOOP;
    DELETE FROM @extschema@.released_cells rc
     WHERE rc.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    DELETE FROM @extschema@.release_ledger l
     WHERE l.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    DELETE FROM @extschema@.publications p WHERE p.object = publication;
    EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN kind_ = 'live' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, publication);
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish(regclass) IS
    'Custodian only: drop a publication (with its results tables) or a results table, and its registry entry (the caller must own it).';
REVOKE ALL ON FUNCTION @extschema@.unpublish(regclass) FROM PUBLIC;
