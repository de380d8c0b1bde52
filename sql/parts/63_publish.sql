-- Publication: publish (arguments, policy, overlap with other publications, the query from
-- exlink.publish_query, the DDL, the registry entry in exlink.publications) and unpublish.
-- SECURITY INVOKER, search_path = pg_catalog, pg_temp, identifiers through format('%I') or a
-- regclass.  Functions only, so that the upgrade script includes this part as it is.

-- The name of an object exlink creates (a publication, results table, view): exactly
-- schema.name, parsed strictly (quoted identifiers allowed); what names the object in errors.
-- One parser for every creating function, so that they accept and refuse the same names.
CREATE FUNCTION @extschema@.schema_qualified_name(name text, what text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
BEGIN
    BEGIN
        parts := pg_catalog.parse_ident(name);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid % name', what USING ERRCODE = '22023',
            DETAIL = 'The name must be schema.name, with double quotes around unusual identifiers.';
    END;
    IF coalesce(pg_catalog.array_length(parts, 1), 0) <> 2 THEN
        RAISE EXCEPTION '% name must be schema.name', what USING ERRCODE = '22023', HINT = 'Write schema.name.';
    END IF;
    RETURN parts;
END
$fn$;
COMMENT ON FUNCTION @extschema@.schema_qualified_name(text, text) IS
    'Used by the functions that create objects (publish, publish_results, windows, coverage and alerts): a name parsed as exactly schema.name (quoted identifiers allowed) into its two parts; 22023 otherwise, naming what in the message.';

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
    force boolean DEFAULT false,
    period text DEFAULT NULL,
    period_length interval DEFAULT NULL,
    grace interval DEFAULT NULL)
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
    kind_ text := CASE WHEN live THEN 'live' WHEN period IS NOT NULL THEN 'periods' ELSE 'materialized' END;
    ptype regtype;
    grace_ interval := CASE WHEN period_length IS NOT NULL THEN coalesce(grace, '0'::interval) END;
BEGIN
    IF publication IS NULL OR source IS NULL OR member_column IS NULL OR dimensions IS NULL OR measures IS NULL
       OR grant_to IS NULL OR rollup IS NULL OR live IS NULL OR force IS NULL THEN
        RAISE EXCEPTION 'exlink.publish arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    -- The target: exactly schema.name, parsed strictly (quoted identifiers allowed).
    parts := @extschema@.schema_qualified_name(publication, 'publication');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);

    -- k: the release decision's threshold (the setting by default), never lower.
    kk := @extschema@.effective_min_group_size(NULL);
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

    -- A period: one immutable expression of the source's columns; automatic sealing needs its
    -- length (a date or timestamp start); never live (a live view is the current rows).
    IF publish.period IS NOT NULL THEN
        IF live THEN
            RAISE EXCEPTION 'a live publication cannot have a period' USING ERRCODE = '22023',
                DETAIL = 'A live publication computes its cells from the current rows when it is read; a period publication releases sealed periods only.';
        END IF;
        IF 'period' = ANY (dimensions || measures) THEN
            RAISE EXCEPTION 'a period publication has a column named period: no dimension or measure may have that name' USING ERRCODE = '22023',
                HINT = 'Publish the column as the period (period => ''period''), or rename it in a view.';
        END IF;
        ptype := @extschema@.period_type(source, publish.period);
        IF period_length IS NOT NULL AND (period_length <= '0'::interval
                                          OR ptype NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)) THEN
            RAISE EXCEPTION 'period_length needs a period of type date, timestamp or timestamptz (its start), and must be positive' USING ERRCODE = '22023',
                DETAIL = pg_catalog.format('The period has type %s.', ptype),
                HINT = 'Without period_length, periods are sealed by exlink.seal only.';
        END IF;
        IF grace < '0'::interval OR (grace IS NOT NULL AND period_length IS NULL) THEN
            RAISE EXCEPTION 'grace must be positive or zero, and needs period_length' USING ERRCODE = '22023';
        END IF;
    ELSIF period_length IS NOT NULL OR grace IS NOT NULL THEN
        RAISE EXCEPTION 'period_length and grace need a period' USING ERRCODE = '22023';
    END IF;

    -- The policy (exlink.check_publishable raises the refusal).
    PERFORM @extschema@.check_publishable(source, member_column, dimensions, measures);
    -- Declared member-constant measures (68_periods.sql): a live view would follow the rows
    -- wherever they go; the others are checked now (and a period publication at each seal).
    IF live AND pg_catalog.cardinality(@extschema@.member_constant_declared(source, measures)) > 0 THEN
        RAISE EXCEPTION 'a live publication cannot carry a measure declared constant per member' USING ERRCODE = '42501',
            HINT = 'Publish with a period (the survey wave), or as a snapshot.';
    END IF;
    IF publish.period IS NULL THEN
        PERFORM @extschema@.check_member_constant(source, member_column, dimensions, measures);
    END IF;
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;

    -- Registry rows of publications dropped without unpublish are stale: forget them (their
    -- released cells and ledger too).
    DELETE FROM @extschema@.publications p
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);

    -- Overlapping grains of one source can be subtracted from each other: refuse unless forced.
    -- (A different k at the same grain suppresses different complements: also a different grain.
    -- So are other measures or another member column: listwise deletion keeps other rows, and
    -- the same cell published over two row sets differs by the rows of a few members.  A live
    -- and a materialized twin of one grain differ by every change since the last refresh; a
    -- snapshot and a period publication, or two period publications of other periods, differ
    -- by their row sets too.)  Publications are matched by the tables they read
    -- (exlink.source_tables), as period publications are among themselves (one lattice per
    -- source), not by the source's name: a snapshot of all time by team over a view of the
    -- period publication's table, minus the released months, gave a team hidden in one month;
    -- two snapshots by team over two views of one table, one leaving out two new hires, gave
    -- the hires' rows as their difference.
    SELECT p.object, p.kind, p.source, p.dimensions, p.rollup, p.k, p.measures, p.member_column INTO other
      FROM @extschema@.publications p
     WHERE (p.source = publish.source OR p.base_tables && @extschema@.source_tables(publish.source))
       AND NOT (p.kind = 'periods' AND kind_ = 'periods')
       AND (p.source <> publish.source
            OR p.dimensions <> publish.dimensions OR p.rollup <> publish.rollup OR p.k <> kk
            OR p.member_column <> publish.member_column
            OR p.kind <> kind_ OR p.period IS DISTINCT FROM publish.period
            OR p.period_length IS DISTINCT FROM publish.period_length OR p.grace IS DISTINCT FROM grace_
            OR NOT (p.measures @> publish.measures AND p.measures <@ publish.measures))
     ORDER BY p.published_at LIMIT 1;
    overlapping := FOUND;
    IF overlapping AND NOT force THEN
        RAISE EXCEPTION 'another publication of the same source overlaps this one'
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('%s (%s) publishes %s by (%s)%s, k = %s, members %s, measures (%s); figures of two overlapping grains (or of one grain over two row sets, or a live and a materialized twin) can be subtracted from each other to reveal suppressed cells, which complementary suppression within one publication cannot prevent.',
                                       other.object, other.kind, other.source, pg_catalog.array_to_string(other.dimensions, ', '),
                                       CASE WHEN other.rollup THEN ' with roll-up' ELSE '' END, other.k,
                                       pg_catalog.quote_ident(other.member_column), pg_catalog.array_to_string(other.measures, ', ')),
            HINT = 'Publish one hierarchy with rollup => true (its levels are protected together), unpublish the other, or pass force => true if no analyst can read both.';
    END IF;

    -- One lattice per source (exlink.lattice_query): period publications over the same tables
    -- are suppressed together, period by period, which needs the same rows (relation, period,
    -- member) and grains that nest (a chain); crossed grains have no such argument: refused.
    IF kind_ = 'periods' THEN
        SELECT p.object, p.source, p.period, p.member_column, p.dimensions, p.rollup INTO other
          FROM @extschema@.publications p
         WHERE p.kind = 'periods' AND p.base_tables && @extschema@.source_tables(publish.source)
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object)
           AND (p.source <> publish.source OR p.period <> publish.period OR p.member_column <> publish.member_column)
         ORDER BY p.published_at LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'another period publication reads the same tables over other rows or periods'
                USING ERRCODE = '42501',
                DETAIL = pg_catalog.format('%s publishes %s (member %s, period %s); period publications over the same tables share one suppression per period, which needs the same relation, period expression and member column.',
                                           other.object, other.source, pg_catalog.quote_ident(other.member_column), other.period),
                HINT = pg_catalog.format('Publish over %s with period => %L and member %s, or unpublish %s.', other.source, other.period,
                                         pg_catalog.quote_ident(other.member_column), other.object);
        END IF;
        IF @extschema@.lattice_dimensions(dimensions, rollup,
               ARRAY(SELECT p.object FROM @extschema@.publications p
                      WHERE p.kind = 'periods' AND p.base_tables && @extschema@.source_tables(publish.source)
                        AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object))) IS NULL THEN
            RAISE EXCEPTION 'the grains of this publication and of the other period publications of % are not nested', source
                USING ERRCODE = '42501',
                DETAIL = 'Within a period, the cells of all publications over one source are suppressed as one hierarchy, which needs every grain (dimension set) to contain or be contained in every other; crossed tables can be subtracted from each other in ways no such pass covers.',
                HINT = 'Publish the crossed grains as one publication with rollup => true over an order of the dimensions that nests them, or unpublish the other publication.';
        END IF;
        -- The same measures too (as a set): rows enter a cell only when every measure is usable
        -- (listwise deletion), so one grain published with {cx} and with {cx, ex} gave two cells
        -- over rows differing by the one employee whose ex was missing (red team: their exact cx).
        SELECT p.object, p.measures INTO other
          FROM @extschema@.publications p
         WHERE p.kind = 'periods' AND p.base_tables && @extschema@.source_tables(publish.source)
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object)
           AND NOT (p.measures @> publish.measures AND p.measures <@ publish.measures)
         ORDER BY p.published_at LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'another period publication of the same tables has other measures'
                USING ERRCODE = '42501',
                DETAIL = pg_catalog.format('%s publishes the measures (%s); a row missing a measure is left out of every cell, so the same cell over two sets of measures can be two row sets, whose difference is the rows left out.',
                                           other.object, pg_catalog.array_to_string(other.measures, ', ')),
                HINT = pg_catalog.format('Publish the measures (%s), in any order, or unpublish %s.', pg_catalog.array_to_string(other.measures, ', '), other.object);
        END IF;
    END IF;

    -- (each kind cleans its own registry of stale rows, so that a custodian needs rights on it only)
    IF kind_ = 'materialized' THEN
        DELETE FROM @extschema@.released_cells rc
         WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = rc.release_key);
        DELETE FROM @extschema@.release_ledger l
         WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = l.release_key);
    ELSIF kind_ = 'periods' THEN
        DELETE FROM @extschema@.sealed_periods sp
         WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.object = sp.publication);
    END IF;

    -- The query (exlink.publish_query), then the DDL.
    IF live THEN
        q := @extschema@.publish_query(source, member_column, dimensions, measures, kk, rollup);
        EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s', target, q);
    ELSIF publish.period IS NOT NULL THEN
        key := pg_catalog.gen_random_uuid()::text;   -- its results tables' key (exlink.results_select)
        -- A table partitioned by period (one partition per sealed period, made by
        -- exlink.seal_periods), with the columns of a publication after the period's.
        IF pg_catalog.to_regclass('pg_temp.exlink_period_shape') IS NOT NULL THEN
            DROP TABLE pg_temp.exlink_period_shape;
        END IF;
        EXECUTE pg_catalog.format('CREATE TEMP TABLE exlink_period_shape ON COMMIT DROP AS SELECT NULL::%s AS period, %s FROM (SELECT NULL::text[] AS figures) AS r WHERE false',
                                  ptype, @extschema@.typed_figures(source, dimensions, measures));
        EXECUTE pg_catalog.format('CREATE TABLE %s (LIKE pg_temp.exlink_period_shape) PARTITION BY LIST (period)', target);
        DROP TABLE pg_temp.exlink_period_shape;
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (period, cell)', target, pg_catalog.left(parts[2], 50) || '_pkey');
    ELSE
        -- The first release goes through the guard of every refresh (exlink.release_cells);
        -- the table shows what it released (a table, not a materialized view, so that
        -- information_schema lists it for schema browsers; exlink.show_released fills it again).
        key := pg_catalog.gen_random_uuid()::text;
        PERFORM @extschema@.release_cells(key, source, member_column, dimensions, measures, kk, share, rollup);
        EXECUTE pg_catalog.format('CREATE TABLE %s AS %s', target,
                                  @extschema@.released_query(key, source, dimensions, measures));
        EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(parts[2], 50) || '_cell', target);
    END IF;
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON %s %s IS %L', CASE kind_ WHEN 'live' THEN 'VIEW' ELSE 'TABLE' END, target,
        pg_catalog.format('exlink publication of %s by (%s), k = %s%s%s', source, pg_catalog.array_to_string(dimensions, ', '), kk,
                          CASE WHEN rollup THEN ', with roll-up and complementary suppression' ELSE '' END,
                          CASE WHEN kind_ = 'periods' THEN pg_catalog.format(', per sealed period of %s', publish.period) ELSE '' END));

    INSERT INTO @extschema@.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced,
                                          max_member_share, release_key, period, period_type, period_length, grace, base_tables)
    VALUES (obj, kind_, source, member_column, dimensions, measures,
            rollup, kk, grant_to, force AND overlapping, share, key, publish.period, ptype, publish.period_length,
            grace_,
            @extschema@.source_tables(source));
    PERFORM @extschema@.comment_columns(obj, obj, 'cells');   -- 69_bi.sql
    -- A period publication releases the periods already closed (end plus grace passed) now.
    IF kind_ = 'periods' THEN
        PERFORM @extschema@.seal_periods(obj, @extschema@.due_periods(obj));
    END IF;
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval) IS
    'Custodian only: publish the cells of source by dimensions that cover at least k distinct members (with roll-up and complementary suppression on request): with period => an expression, as a table of the released cells of sealed periods (each period computed once, when sealed); without, as a snapshot (a materialized view), or a security_barrier view when live => true.';
REVOKE ALL ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval) FROM PUBLIC;

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
        EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = publication) = 'm'
                                                    THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, publication);
        RETURN;
    END IF;
    IF @extschema@.unpublish_alerts(publication) THEN   -- 70_alerts.sql: an alerts table, or a publication's
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
            EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = rt) = 'm'
                                                        THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, rt);
        END IF;
    END LOOP;
    DELETE FROM @extschema@.released_cells rc
     WHERE rc.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    DELETE FROM @extschema@.release_ledger l
     WHERE l.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    IF kind_ = 'periods' THEN
        DELETE FROM @extschema@.sealed_periods sp WHERE sp.publication = unpublish.publication;
    END IF;
    DELETE FROM @extschema@.publications p WHERE p.object = publication;
    EXECUTE pg_catalog.format('DROP %s %s', CASE (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = publication)
                                           WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, publication);
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish(regclass) IS
    'Custodian only: drop a publication (with its results tables) or a results table, and its registry entry (the caller must own it).';
REVOKE ALL ON FUNCTION @extschema@.unpublish(regclass) FROM PUBLIC;
