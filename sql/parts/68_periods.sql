-- Sealed periods: publications whose figures are computed once per closed period and never
-- again.  A period publication (exlink.publish with period => an expression over the source's
-- columns) is a table partitioned by period, one partition per sealed period, holding only the
-- released cells of that period; exlink.refresh seals the periods whose end plus the grace time
-- has passed (exlink.seal seals one on request), computing each period's cells from that period's
-- rows alone, in one lattice (the publication's grains, roll-up included), through the release
-- decision and complementary suppression of every publication (exlink.publish_query).  Two
-- releases never share rows, so nothing is learnt by subtracting one from another; hidden cells
-- are never stored, so no row count, size or statistic of any table depends on them.
--
-- These functions run with DateStyle ISO and TimeZone UTC, so that a period's text (the
-- registry's key) is the same in every session.

-- The tables (and foreign tables) a source reads, through views and materialized views: what a
-- publication is "over", whatever the source's name.
CREATE FUNCTION @extschema@.source_tables(source regclass)
RETURNS regclass[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH RECURSIVE rels(rel) AS (
        SELECT source::pg_catalog.oid
        UNION
        SELECT d.refobjid
          FROM rels
          JOIN pg_catalog.pg_rewrite rw ON rw.ev_class OPERATOR(pg_catalog.=) rels.rel
          JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                                     AND d.objid OPERATOR(pg_catalog.=) rw.oid
                                     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                     AND d.refobjid OPERATOR(pg_catalog.<>) rels.rel)
    SELECT coalesce(pg_catalog.array_agg(c.oid::pg_catalog.regclass ORDER BY c.oid::pg_catalog.regclass::text COLLATE "C"), '{}')
      FROM rels JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) rels.rel
     WHERE c.relkind IN ('r', 'p', 'f')
$fn$;
COMMENT ON FUNCTION @extschema@.source_tables(regclass) IS
    'The tables and foreign tables a relation reads, through views and materialized views (from their rewrite rules'' dependencies).';

-- The type of a period expression over source's columns, after checking that it is one
-- immutable expression of those columns only (the checks of an index expression: no subquery,
-- no aggregate, no other table, no function whose result depends on settings such as TimeZone),
-- so that a row's period never changes.
CREATE FUNCTION @extschema@.period_type(source regclass, period text)
RETURNS regtype
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    typ regtype;
    msg text;
BEGIN
    IF period IS NULL OR pg_catalog.btrim(period) = '' THEN
        RAISE EXCEPTION 'the period expression cannot be empty' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.to_regclass('pg_temp.exlink_period_probe') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_period_probe;
    END IF;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE exlink_period_probe (LIKE %s) ON COMMIT DROP', source);
    BEGIN
        EXECUTE pg_catalog.format('CREATE INDEX ON pg_temp.exlink_period_probe ((%s))', period);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        RAISE EXCEPTION 'invalid period expression: %', msg USING ERRCODE = '22023',
            DETAIL = 'The period must be one immutable expression of the source''s columns (bare column names), so that a row''s period never changes.',
            HINT = 'For a timestamptz column write date_trunc(''month'', ts AT TIME ZONE ''UTC''); for a date column date_trunc(''month'', d::timestamp)::date; a period column works as it is.';
    END;
    EXECUTE pg_catalog.format('SELECT pg_catalog.pg_typeof(%s)::pg_catalog.regtype FROM (SELECT 1) AS one LEFT JOIN pg_temp.exlink_period_probe ON false', period)
       INTO typ;
    DROP TABLE pg_temp.exlink_period_probe;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
                    WHERE am.amname = 'btree' AND oc.opcdefault
                      AND (oc.opcintype = typ OR oc.opcintype = (SELECT t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid = typ))) THEN
        RAISE EXCEPTION 'the period expression has type %, which has no default btree operator class', typ USING ERRCODE = '22023',
            HINT = 'Cast it to date, timestamp, integer or text.';
    END IF;
    RETURN typ;
END
$fn$;
COMMENT ON FUNCTION @extschema@.period_type(regclass, text) IS
    'The type of a period expression over a source''s columns, after checking that it is one immutable expression of those columns (22023 otherwise).';

-- Per period publication and sealed period: when, how many cells were released, and the
-- period's rows at the seal (count and a 64-bit digest), to tell the custodian about late rows.
-- Every column has a fixed width except period (public), so the table's size depends only on
-- how many periods are sealed.
CREATE TABLE @extschema@.sealed_periods (
    publication regclass NOT NULL,
    period text NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    released_cells integer NOT NULL,
    rows_at_seal bigint NOT NULL,
    digest bigint NOT NULL,
    PRIMARY KEY (publication, period)
);
COMMENT ON TABLE @extschema@.sealed_periods IS
    'Custodian only: the sealed periods of every period publication (when, how many cells were released, the period''s rows then), read by exlink.period_status.';
COMMENT ON COLUMN @extschema@.sealed_periods.publication IS 'The period publication.';
COMMENT ON COLUMN @extschema@.sealed_periods.period IS 'The period (its value as text, DateStyle ISO, TimeZone UTC).';
COMMENT ON COLUMN @extschema@.sealed_periods.sealed_at IS 'When the period was sealed.';
COMMENT ON COLUMN @extschema@.sealed_periods.released_cells IS 'How many cells of the period were released (the rows of its partition).';
COMMENT ON COLUMN @extschema@.sealed_periods.rows_at_seal IS 'The source''s rows of the period when it was sealed.';
COMMENT ON COLUMN @extschema@.sealed_periods.digest IS 'A digest (sum of 64-bit hashes, modulo 2^63 - 1) of those rows'' member, dimensions and measures.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sealed_periods', '');
REVOKE ALL ON @extschema@.sealed_periods FROM PUBLIC;

-- Measures constant per member: a value an employee carries on all of its rows (an EX score on
-- every CX row of its survey wave) is shared by every cell those rows fall in, so two cells with
-- almost the same members differ by the others' values even when their rows are disjoint (team
-- A in months 1 and 2, a hire in month 2: the difference of the sums is the hire's score), in
-- one period or across periods alike (the months are two periods, the wave's scores the same).
-- The custodian declares such columns of a source, with the scope over which a member's value
-- is constant (an expression of the source's columns: the survey wave); a publication may carry
-- a declared measure only while each member's rows of one scope fall in one cell of its finest
-- grain and period, over every period it released or releases (exlink.member_constant_splits):
-- then each member's value of a scope enters one cell only.  Without a scope, a member's rows
-- with one value of the measure must fall in one cell (values equal by chance count as one).
CREATE TABLE @extschema@.member_constant_measures (
    source regclass NOT NULL,
    measure name NOT NULL,
    declared_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    scope text,
    PRIMARY KEY (source, measure)
);
COMMENT ON TABLE @extschema@.member_constant_measures IS
    'Custodian only: the columns of a source whose value is constant per member (within a scope such as the survey wave), declared by exlink.declare_member_constant; exlink.publish and exlink.seal_periods keep each member''s value in one cell.';
COMMENT ON COLUMN @extschema@.member_constant_measures.source IS 'The relation publications read (a declaration on a table holds for the views that read it too).';
COMMENT ON COLUMN @extschema@.member_constant_measures.measure IS 'A column of it whose value is constant per member.';
COMMENT ON COLUMN @extschema@.member_constant_measures.declared_at IS 'When it was declared.';
COMMENT ON COLUMN @extschema@.member_constant_measures.scope IS 'The expression of the source''s columns within whose values a member''s value is constant (the survey wave); NULL: rows with one value of the measure are one scope.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.member_constant_measures', '');
REVOKE ALL ON @extschema@.member_constant_measures FROM PUBLIC;

-- (the owner of a source declares; the custodian needs INSERT and UPDATE on the table.  Reading
-- which columns are declared, and their scopes, needs no grant: exlink.member_constant_scopes)
CREATE FUNCTION @extschema@.declare_member_constant(source regclass, measures name[], scope text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m name;
    msg text;
BEGIN
    IF source IS NULL OR measures IS NULL THEN
        RAISE EXCEPTION 'exlink.declare_member_constant arguments cannot be null (except scope)' USING ERRCODE = '22023';
    END IF;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = source), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of %', source USING ERRCODE = '42501';
    END IF;
    FOREACH m IN ARRAY measures LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = source AND a.attname = m AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column % of % does not exist', pg_catalog.quote_ident(m), source USING ERRCODE = '42703';
        END IF;
    END LOOP;
    IF scope IS NOT NULL THEN
        IF pg_catalog.btrim(scope) = '' OR pg_catalog.strpos(scope, ';') > 0 THEN
            RAISE EXCEPTION 'invalid scope expression' USING ERRCODE = '22023';
        END IF;
        BEGIN
            EXECUTE pg_catalog.format('SELECT (%s) FROM %s AS s WHERE false GROUP BY 1', scope, source);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
            RAISE EXCEPTION 'invalid scope expression: %', msg USING ERRCODE = '22023',
                HINT = 'The scope is one expression of the source''s columns (bare column names), such as the survey wave''s column.';
        END;
    END IF;
    INSERT INTO @extschema@.member_constant_measures (source, measure, scope)
    SELECT source, u.m, scope FROM pg_catalog.unnest(measures) AS u(m)
    ON CONFLICT ON CONSTRAINT member_constant_measures_pkey DO UPDATE SET scope = EXCLUDED.scope, declared_at = pg_catalog.now();
END
$fn$;
COMMENT ON FUNCTION @extschema@.declare_member_constant(regclass, name[], text) IS
    'Custodian (owner of the source) only: declare columns of a source whose value is constant per member within scope (an expression of its columns, such as the survey wave; NULL: per value); publications of it, or of views reading it, then carry them only while each member''s rows of one scope fall in one cell.';

-- The declarations that hold for a source: its own and those of the tables it reads
-- (exlink.source_tables: a view passes a table's column on under the same name), with the
-- declaration's relation (whose columns its scope names).
CREATE FUNCTION @extschema@.member_constant_scopes(source regclass, measures name[])
RETURNS TABLE (measure name, declared_on regclass, scope text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT d.measure, d.source, d.scope
      FROM @extschema@.member_constant_measures d
     WHERE (d.source OPERATOR(pg_catalog.=) member_constant_scopes.source
            OR d.source OPERATOR(pg_catalog.=) ANY (@extschema@.source_tables(member_constant_scopes.source)))
       AND d.measure OPERATOR(pg_catalog.=) ANY (measures)
     ORDER BY d.measure, d.source OPERATOR(pg_catalog.<>) member_constant_scopes.source, d.source::text COLLATE "C"
$fn$;
COMMENT ON FUNCTION @extschema@.member_constant_scopes(regclass, name[]) IS
    'The declarations of measures constant per member (exlink.declare_member_constant) that hold for source among measures: its own and those of the tables it reads, with the relation declared on and the scope.';

CREATE FUNCTION @extschema@.member_constant_declared(source regclass, measures name[])
RETURNS name[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT d.measure ORDER BY d.measure), '{}')
      FROM @extschema@.member_constant_scopes(source, measures) AS d
$fn$;
COMMENT ON FUNCTION @extschema@.member_constant_declared(regclass, name[]) IS
    'The measures among measures declared constant per member for source or a table it reads (exlink.declare_member_constant).';

-- Per declared member-constant measure among measures: how many members have rows of one scope
-- (rows without a scope value count as one scope; one value of the measure when the
-- declaration has no scope, or when its scope does not apply to this source's columns: the
-- source's own declaration first) in more than one cell of the finest grain (dimensions, and the
-- period when given), over the rows where (filter) holds (SQL over alias s; NULL: all rows).
-- Each measure's zero is the rule exlink.publish and exlink.seal_periods enforce.
CREATE FUNCTION @extschema@.member_constant_splits(source regclass, member_column name, dimensions name[], measures name[],
                                                   period text DEFAULT NULL, filter text DEFAULT NULL)
RETURNS TABLE (measure name, split_members bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    d record;
    cell text;
    grp text;
    n bigint;
BEGIN
    cell := coalesce((SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', x), ', ' ORDER BY o)
                        FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(x, o)), '')
            || CASE WHEN period IS NULL THEN '' ELSE pg_catalog.format(', (%s)', period) END;
    FOR d IN SELECT DISTINCT ON (sc.measure) sc.measure, sc.scope FROM @extschema@.member_constant_scopes(source, measures) AS sc
              ORDER BY sc.measure, sc.declared_on <> source, sc.declared_on::text COLLATE "C" LOOP
        -- the scope, when it is an expression of this source's columns; else the value
        grp := pg_catalog.format('s.%I', d.measure);
        IF d.scope IS NOT NULL THEN
            BEGIN
                EXECUTE pg_catalog.format('SELECT (%s) FROM %s AS s WHERE false GROUP BY 1', d.scope, source);
                grp := '(' || d.scope || ')';
            EXCEPTION WHEN OTHERS THEN
                NULL;
            END;
        END IF;
        EXECUTE pg_catalog.format($q$
SELECT pg_catalog.count(DISTINCT x.member) FROM (
    SELECT s.%1$I::text AS member
      FROM %2$s AS s
     WHERE s.%1$I IS NOT NULL AND s.%3$I IS NOT NULL%5$s
     GROUP BY s.%1$I, %6$s
    HAVING pg_catalog.count(DISTINCT ROW(%4$s)) > 1) AS x$q$,
            member_column, source, d.measure, cell,
            CASE WHEN filter IS NULL THEN '' ELSE ' AND (' || filter || ')' END, grp)
           INTO n;
        measure := d.measure;
        split_members := n;
        RETURN NEXT;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION @extschema@.member_constant_splits(regclass, name, name[], name[], text, text) IS
    'Custodian only: per declared member-constant measure, how many members have rows of one scope (or one value, without a scope) in more than one cell of the finest grain (and period); exlink refuses to publish or seal such a measure unless it is 0.';

-- Raises 42501 when a declared member-constant measure among measures splits a member's value
-- over cells (exlink.member_constant_splits).
CREATE FUNCTION @extschema@.check_member_constant(source regclass, member_column name, dimensions name[], measures name[],
                                                  period text DEFAULT NULL, filter text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    SELECT * INTO bad FROM @extschema@.member_constant_splits(source, member_column, dimensions, measures, period, filter) AS x
     WHERE x.split_members > 0 ORDER BY x.measure LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'measure % is constant per member and % members carry one value of it into several cells', pg_catalog.quote_ident(bad.measure), bad.split_members
            USING ERRCODE = '42501',
            DETAIL = 'Two cells that share a member''s value differ by the values of the members they do not share: with almost the same members, by one member''s value. The cells may be of one period or of two.',
            HINT = 'Publish it by a grain and period in which each member''s rows of one scope (the survey wave) fall in one cell, such as the wave, or without that measure; declare its scope (exlink.declare_member_constant(..., scope => ...)) if values equal by chance in two waves are refused.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.check_member_constant(regclass, name, name[], name[], text, text) IS
    'Custodian only: refuses (42501) when a declared member-constant measure among measures has a member''s value (its rows of one scope) in more than one cell of the finest grain (and period).';

-- SQL of the digest of a publication's rows (an aggregate over alias s): the sum, modulo
-- 2^63 - 1, of a 64-bit hash per row combining the member, each dimension (its type's extended
-- hash, as cells are keyed) and the measures, each with its own seed (typed hashes: no text
-- conversion of each value).
CREATE FUNCTION @extschema@.period_digest(source regclass, member_column name, dimensions name[], measures name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT pg_catalog.format('(coalesce(pg_catalog.sum((coalesce(pg_catalog.hashtextextended(s.%I::text, 0), 0)%s%s)::numeric), 0) %% 9223372036854775807)::bigint',
                             member_column,
                             coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(' # coalesce(%s, 0)',
                                                                                      @extschema@.dimension_hash_sql(a.atttypid::pg_catalog.regtype, pg_catalog.format('s.%I', t.d), t.o::text)), '' ORDER BY t.o)
                                         FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o)
                                         JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) t.d
                                         WHERE @extschema@.dimension_hash(a.atttypid::pg_catalog.regtype) IS NOT NULL), ''),
                             coalesce((SELECT pg_catalog.format(' # coalesce(pg_catalog.hash_array_extended(ARRAY[%s]::float8[], %s), 0)',
                                                                pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
                                                                pg_catalog.cardinality(dimensions) + 1)
                                         FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o) HAVING pg_catalog.count(*) > 0), ''))
$fn$;
COMMENT ON FUNCTION @extschema@.period_digest(regclass, name, name[], name[]) IS
    'SQL (an aggregate over alias s) of the digest of rows exlink.period_status compares with the one taken at the seal.';

-- A partition of a table partitioned by period for one period (named after the table and the
-- period's digits), commented; returns it.
CREATE FUNCTION @extschema@.period_partition(parent regclass, period text)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    nsp name;
    rel name;
    base text;
    part text;
    n integer := 1;
BEGIN
    SELECT n2.nspname, c.relname INTO nsp, rel
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n2 ON n2.oid = c.relnamespace WHERE c.oid = parent;
    base := pg_catalog.left(rel, 40) || '_' || pg_catalog.left(pg_catalog.regexp_replace(period, '[^0-9A-Za-z]+', '', 'g'), 20);
    part := base;
    WHILE pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, part)) IS NOT NULL LOOP
        n := n + 1;
        part := base || '_' || n;
    END LOOP;
    EXECUTE pg_catalog.format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES IN (%L)', nsp, part, parent, period);
    EXECUTE pg_catalog.format('COMMENT ON TABLE %I.%I IS %L', nsp, part,
                              pg_catalog.format('exlink: the released rows of %s for period %s (sealed; read them through %s)', parent, period, parent));
    RETURN pg_catalog.format('%I.%I', nsp, part)::pg_catalog.regclass;
END
$fn$;
COMMENT ON FUNCTION @extschema@.period_partition(regclass, text) IS
    'Custodian only (used by exlink.seal_periods): a new partition of a period publication or results table for one period.';

-- One lattice per source.  Period publications over the same tables (exlink.source_tables)
-- share one suppression: they must read the same relation with the same period expression and
-- member column (exlink.publish refuses others), and their grains (the dimension sets they
-- release: every prefix with roll-up, else the full set) must form a chain under inclusion, so
-- that the cells of all of them in one period form one hierarchy.  lattice_dimensions returns
-- the dimensions in the chain's order (coarsest grain's first), or NULL when the grains of the
-- given dimensions and roll-up and of the siblings' are not a chain.
CREATE FUNCTION @extschema@.lattice_dimensions(dimensions name[], rollup boolean, siblings regclass[])
RETURNS name[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    g record;
    prev name[] := '{}';
    chain name[] := '{}';
    everyone name[];
BEGIN
    SELECT lattice_dimensions.dimensions || coalesce(pg_catalog.array_agg(t.d ORDER BY p.published_at, p.object::text COLLATE "C", t.o), '{}')
      INTO everyone
      FROM @extschema@.publications p, pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS t(d, o)
     WHERE p.object = ANY (siblings);
    FOR g IN
        WITH pubs(dims, ru) AS (
            SELECT lattice_dimensions.dimensions, lattice_dimensions.rollup
            UNION ALL
            SELECT p.dimensions, p.rollup FROM @extschema@.publications p WHERE p.object = ANY (siblings))
        SELECT DISTINCT ARRAY(SELECT x FROM pg_catalog.unnest(pubs.dims[1:i]) AS x ORDER BY x COLLATE "C") AS grain,
               i AS size
          FROM pubs, pg_catalog.generate_series(0, pg_catalog.cardinality(pubs.dims)) AS i
         WHERE pubs.ru OR i = pg_catalog.cardinality(pubs.dims)
         ORDER BY 2
    LOOP
        IF NOT (prev <@ g.grain) THEN
            RETURN NULL;
        END IF;
        -- the grain's new dimensions, in the order the publications name them
        chain := chain || ARRAY(SELECT e.d FROM pg_catalog.unnest(everyone) WITH ORDINALITY AS e(d, o)
                                 WHERE e.d = ANY (g.grain) AND NOT e.d = ANY (prev)
                                 GROUP BY e.d ORDER BY pg_catalog.min(e.o));
        prev := g.grain;
    END LOOP;
    RETURN chain;
END
$fn$;
COMMENT ON FUNCTION @extschema@.lattice_dimensions(name[], boolean, regclass[]) IS
    'Custodian only (used by exlink.publish and exlink.seal_periods): the dimensions of the chain of grains formed by a period publication''s grains and those of its siblings over the same source, coarsest first; NULL when the grains are not a chain.';

-- The other period publications in a period publication's lattice: over the same tables.
CREATE FUNCTION @extschema@.lattice_siblings(publication regclass)
RETURNS regclass[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT coalesce(pg_catalog.array_agg(o.object ORDER BY o.published_at, o.object::text COLLATE "C"), '{}')
      FROM @extschema@.publications p
      JOIN @extschema@.publications o ON o.kind OPERATOR(pg_catalog.=) 'periods' AND o.object OPERATOR(pg_catalog.<>) p.object
                                     AND o.base_tables OPERATOR(pg_catalog.&&) p.base_tables
     WHERE p.object OPERATOR(pg_catalog.=) publication
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) o.object)
$fn$;
COMMENT ON FUNCTION @extschema@.lattice_siblings(regclass) IS
    'Custodian only: the other period publications over any of the same tables as a period publication (its lattice).';

-- The SELECT of the cells a period publication releases for periods (SQL of an array of the
-- period's type) when it has siblings: the cells of every grain of the chain
-- (exlink.lattice_dimensions) are computed from the periods' rows in one hierarchy, the cells
-- of a grain a sibling already released for a period are FIXED (released as the sibling
-- released them, never picked as complements: the analyst holds them), the others go through
-- the release decision (k, dominance) and complementary suppression with them
-- (exlink.suppress_cells).  If a fixed released cell's own protection cannot be kept (the
-- suppression would have to hide it), the publication releases nothing of that period
-- (fail-closed).  Released: the publication's own grains, its cell keys in its own format; the
-- same columns as exlink.publish_query's with a period.
CREATE FUNCTION @extschema@.lattice_query(publication regclass, periods text, results text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    sib record;
    siblings regclass[] := @extschema@.lattice_siblings(publication);
    chain name[];
    nc integer;
    np integer;
    fixed_sql text := '';
    grains_sql text := '';
    cell_sql text;
    share text;
    levels integer[];
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = lattice_query.publication AND pub.kind = 'periods';
    chain := @extschema@.lattice_dimensions(p.dimensions, p.rollup, siblings);
    IF chain IS NULL THEN
        RAISE EXCEPTION 'the grains of % and of the other period publications over its tables are not nested', publication USING ERRCODE = '42501';
    END IF;
    nc := pg_catalog.cardinality(chain);
    np := pg_catalog.cardinality(p.dimensions);
    share := pg_catalog.format('%L::float8', p.max_member_share);
    -- the hierarchy's levels: the grains some publication releases, and the total (a parent
    -- whatever is released, as in exlink.publish_query); the chain's other prefixes are skipped
    SELECT pg_catalog.array_agg(DISTINCT l ORDER BY l) INTO levels
      FROM (SELECT 0 AS l
            UNION ALL
            SELECT pg_catalog.cardinality(o.dimensions) FROM @extschema@.publications o WHERE o.object = ANY (siblings || publication)
            UNION ALL
            SELECT pg_catalog.generate_series(0, pg_catalog.cardinality(o.dimensions)) FROM @extschema@.publications o
             WHERE o.object = ANY (siblings || publication) AND o.rollup) AS g;
    -- the released cells of siblings in these periods (key: the chain's dimensions as text, the
    -- cell's level first ones), and the grains (levels) they released
    FOR sib IN SELECT * FROM @extschema@.publications o WHERE o.object = ANY (siblings) ORDER BY o.object::text COLLATE "C" LOOP
        fixed_sql := fixed_sql || pg_catalog.format($f$
    UNION ALL
    SELECT x.period::text, x.level, (ARRAY[%1$s]::text[])[1:x.level] FROM %2$s AS x WHERE x.period = ANY (%3$s)$f$,
            (SELECT pg_catalog.string_agg(CASE WHEN c.d = ANY (sib.dimensions) THEN pg_catalog.format('x.%I::text', c.d) ELSE 'NULL' END, ', ' ORDER BY c.o)
               FROM pg_catalog.unnest(chain) WITH ORDINALITY AS c(d, o)),
            sib.object, periods);
        grains_sql := grains_sql || pg_catalog.format($g$
    UNION ALL
    SELECT sp.period, l.level FROM @extschema@.sealed_periods AS sp, pg_catalog.unnest(%1$L::integer[]) AS l(level)
     WHERE sp.publication = %2$L::pg_catalog.regclass AND sp.period = ANY ((%3$s)::text[])$g$,
            CASE WHEN sib.rollup THEN ARRAY(SELECT pg_catalog.generate_series(0, pg_catalog.cardinality(sib.dimensions)))
                 ELSE ARRAY[pg_catalog.cardinality(sib.dimensions)] END,
            sib.object::text, periods);
    END LOOP;
    -- the publication's own cell key: its level and its dimensions in its own order
    SELECT pg_catalog.format('(c.level)::text || %L || pg_catalog.jsonb_build_array(%s)::text', ':',
                             pg_catalog.string_agg(pg_catalog.format('(c.figures[%s])::%s', pg_catalog.array_position(chain, t.d),
                                                                     pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY t.o))
      INTO cell_sql
      FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS t(d, o)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = p.source AND a.attname = t.d;
    RETURN pg_catalog.format($q$
WITH r AS MATERIALIZED (%1$s),
nodes AS (
    SELECT c.*, c.figures[1:c.level] AS key, %13$s AS parent_level
      FROM r AS c WHERE c.level = ANY (%14$L::integer[])),
cells AS (
    SELECT c.exlink_period, c.cell_id, c.figures[%6$s] AS cell, p.figures[%6$s] AS parent,
           c.level, c.members, c.figures, c.results, c.responses, c.top, c.key
      FROM nodes AS c
      LEFT JOIN nodes AS p ON p.exlink_period = c.exlink_period AND p.level = c.parent_level AND p.key = c.figures[1:c.parent_level]),
fixed AS (
    SELECT NULL::text AS period, NULL::integer AS level, NULL::text[] AS key WHERE false%7$s),
fixed_grains AS (
    SELECT NULL::text AS period, NULL::integer AS level WHERE false%8$s),
lat0 AS (
    SELECT c.*, fg.level IS NOT NULL AS fixed, f.level IS NOT NULL AS shown
      FROM cells AS c
      LEFT JOIN (SELECT DISTINCT fixed_grains.period, fixed_grains.level FROM fixed_grains) AS fg
             ON fg.period = c.exlink_period::text AND fg.level = c.level
      LEFT JOIN (SELECT DISTINCT fixed.period, fixed.level, fixed.key FROM fixed) AS f
             ON fg.level IS NOT NULL AND f.period = c.exlink_period::text AND f.level = c.level AND f.key = c.key),
-- A cell of a new grain is known to the analyst when the fixed cells of the nearest fixed grain
-- below it are all released (it is their sum): fixed too, never a complement.
lat AS (
    SELECT l.*, l.fixed OR known AS frozen, CASE WHEN l.fixed THEN l.shown ELSE known END AS public
      FROM lat0 AS l
     CROSS JOIN LATERAL (
        SELECT NOT l.fixed AND coalesce((SELECT pg_catalog.bool_and(d.shown) FROM lat0 AS d
                                           WHERE d.exlink_period = l.exlink_period AND d.fixed AND d.key[1:l.level] = l.key
                                             AND d.level = (SELECT pg_catalog.min(fg.level) FROM fixed_grains AS fg
                                                             WHERE fg.period = l.exlink_period::text AND fg.level > l.level)), false) AS known) AS k),
released AS (
    SELECT l.exlink_period, pg_catalog.unnest(@extschema@.suppress_cells(
               pg_catalog.array_agg(l.cell), pg_catalog.array_agg(l.parent), pg_catalog.array_agg(l.members),
               pg_catalog.array_agg(CASE WHEN l.frozen THEN l.public
                                         ELSE @extschema@.release_status(l.members, %2$s, l.responses, l.top, NULL, %3$s) = 'ok' END),
               %2$s, pg_catalog.array_agg(l.frozen), pg_catalog.array_agg(l.responses), pg_catalog.array_agg(l.top), %3$s)) AS cell
      FROM lat AS l GROUP BY l.exlink_period),
broken AS (
    SELECT DISTINCT l.exlink_period FROM lat AS l
     WHERE l.frozen AND l.public AND (l.exlink_period, l.cell) NOT IN (SELECT released.exlink_period, released.cell FROM released))
SELECT r.exlink_period AS period, %4$s%5$s
  FROM (SELECT c.exlink_period, c.level, c.results, c.responses, c.top,
               c.figures[1:%9$s] || ARRAY[%10$s] || c.figures[%11$s:] AS figures
          FROM lat AS c
         WHERE (c.exlink_period, c.cell) IN (SELECT released.exlink_period, released.cell FROM released)
           AND c.exlink_period NOT IN (SELECT broken.exlink_period FROM broken)
           AND %12$s
           AND @extschema@.release_status(c.members, %2$s, c.responses, c.top, NULL, %3$s) = 'ok') AS r$q$,
        @extschema@.refresh_query(p.source, p.member_column, chain, p.measures, p.k, true, results, p.period, periods, false),
        p.k, share,
        @extschema@.typed_figures(p.source, chain, p.measures),
        CASE WHEN results IS NULL THEN '' ELSE ', r.results AS exlink_results, r.responses AS exlink_rows, r.top AS exlink_top' END,
        nc + 2, fixed_sql, grains_sql,
        nc + 1, cell_sql, nc + 3,
        CASE WHEN p.rollup THEN pg_catalog.format('c.level <= %s', np) ELSE pg_catalog.format('c.level = %s', np) END,
        coalesce((SELECT 'CASE c.level' || pg_catalog.string_agg(pg_catalog.format(' WHEN %s THEN %s', l.level, l.up), '' ORDER BY l.level) || ' END'
                    FROM (SELECT x.level, pg_catalog.lag(x.level) OVER (ORDER BY x.level) AS up FROM pg_catalog.unnest(levels) AS x(level)) AS l
                   WHERE l.up IS NOT NULL), 'NULL::integer'),
        levels);
END
$fn$;
COMMENT ON FUNCTION @extschema@.lattice_query(regclass, text, text) IS
    'Custodian only (used by exlink.seal_periods): the SELECT of the cells a period publication with siblings over the same source releases for the given periods: one hierarchy over the chain of all their grains, the cells siblings already released fixed.';

-- Seals the given periods of a period publication: one partition per period (of the
-- publication and of each of its results tables), then ONE statement that computes the periods'
-- cells (each period its own lattice, exlink.publish_query) with their results, appends the
-- released ones and their results, and records each period's rows at the seal (the same
-- snapshot).  Returns how many cells were released.
-- (jit off: the statement's cost estimate makes PostgreSQL JIT-compile it with inlining and
-- optimization, seconds of compilation for aggregates that run in C anyway.)
CREATE FUNCTION @extschema@.seal_periods(publication regclass, periods text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    p record;
    v text;
    arr text;
    released integer;
    rt record;
    cols text;
    keys text;
    results_sql text;
    results_ctes text := '';
    fourth integer;
    sib record;
    now_rows bigint;
    now_digest bigint;
    sibling_count integer;
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = seal_periods.publication AND pub.kind = 'periods';
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a period publication', publication USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.cardinality(periods), 0) = 0 THEN
        RETURN 0;
    END IF;
    -- its results tables (those not dropped)
    IF pg_catalog.to_regclass('pg_temp.exlink_seal_results') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_seal_results;
    END IF;
    CREATE TEMP TABLE exlink_seal_results ON COMMIT DROP AS
    SELECT t.object, t.statistic, t.outcome, t.drivers, t.result_key, t.bootstrap
      FROM @extschema@.result_tables t
     WHERE t.publication = seal_periods.publication AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.object);
    FOREACH v IN ARRAY periods LOOP
        IF EXISTS (SELECT 1 FROM @extschema@.sealed_periods sp WHERE sp.publication = seal_periods.publication AND sp.period = v) THEN
            RAISE EXCEPTION 'period % of % is already sealed', v, publication USING ERRCODE = '55000',
                DETAIL = 'The figures of a sealed period are released once and never recomputed.';
        END IF;
        PERFORM @extschema@.period_partition(publication, v);
        PERFORM @extschema@.period_partition(t.object, v) FROM pg_temp.exlink_seal_results t;
    END LOOP;
    arr := pg_catalog.format('%L::%s[]', periods, p.period_type);
    -- One lattice per source: a period a sibling sealed is sealed here with the sibling's
    -- released cells fixed, which holds only while the period's rows are those the sibling
    -- sealed (its digest); otherwise nothing of the period is released here.
    FOR sib IN
        SELECT o.*, sp.period AS sealed_period, sp.rows_at_seal, sp.digest
          FROM @extschema@.publications o
          JOIN @extschema@.sealed_periods sp ON sp.publication = o.object AND sp.period = ANY (periods)
         WHERE o.object = ANY (@extschema@.lattice_siblings(seal_periods.publication))
    LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*), %s FROM %s AS s WHERE (%s) = %L::%s',
                                  @extschema@.period_digest(sib.source, sib.member_column, sib.dimensions, sib.measures),
                                  sib.source, sib.period, sib.sealed_period, sib.period_type)
           INTO now_rows, now_digest;
        IF now_rows <> sib.rows_at_seal OR now_digest <> sib.digest THEN
            RAISE EXCEPTION 'period % of % changed since % sealed it', sib.sealed_period, p.source, sib.object USING ERRCODE = '55000',
                DETAIL = pg_catalog.format('%s rows now, %s at the seal; the publications over one source share one lattice per period, whose released cells are fixed.', now_rows, sib.rows_at_seal),
                HINT = 'Seal this period of both publications before late rows arrive, or leave it unsealed here.';
        END IF;
    END LOOP;
    sibling_count := pg_catalog.cardinality(@extschema@.lattice_siblings(seal_periods.publication));
    -- Declared member-constant measures: each member's value in one cell over the sealed periods
    -- and these (a later period that splits a value is refused when it is sealed).
    PERFORM @extschema@.check_member_constant(p.source, p.member_column, p.dimensions, p.measures, p.period,
        pg_catalog.format('(%1$s) = ANY (%2$s) OR (%1$s)::text IN (SELECT sp.period FROM @extschema@.sealed_periods sp WHERE sp.publication = %3$L::pg_catalog.regclass)',
                          p.period, arr, publication::text));
    -- the publication's columns, and the key columns results tables repeat
    SELECT pg_catalog.string_agg(pg_catalog.format('q.%I', a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_catalog.pg_attribute a WHERE a.attrelid = publication AND a.attnum > 0 AND NOT a.attisdropped;
    keys := 'q.period, ' || coalesce((SELECT pg_catalog.string_agg(pg_catalog.format('q.%I', d), ', ' ORDER BY o)
                                        FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS t(d, o)) || ', ', '')
            || 'q.level, q.cell, q.responses::integer, q.members::integer';
    results_sql := @extschema@.results_select(p.release_key, p.measures);
    -- The inference of a cell's results is withheld as exlink.release_cells withholds it (the
    -- release decision's fourth-order rule over all of the publication's results tables).
    fourth := @extschema@.results_fourth_order(p.release_key);
    FOR rt IN SELECT * FROM pg_temp.exlink_seal_results t ORDER BY t.result_key LOOP
        results_ctes := results_ctes || pg_catalog.format($r$,
rt_%1$s AS (
    INSERT INTO %2$s
    %3$s)$r$,
            pg_catalog.md5(rt.result_key), rt.object,
            -- p_adjusted: Benjamini-Hochberg per sealed period of the results table (69_bi.sql)
            @extschema@.with_p_adjusted(pg_catalog.format($s$
    SELECT %1$s, x.*
      FROM q
     CROSS JOIN LATERAL (SELECT @extschema@.release_status(q.members, %6$s, q.exlink_rows, q.exlink_top, NULL, %7$L::float8, NULL, NULL, %8$s, %9$s) AS s) AS st
     CROSS JOIN LATERAL @extschema@.%2$s((@extschema@.withhold_inference(q.exlink_results,
                            CASE WHEN %9$s > 0 AND st.s <> 'ok' THEN 'withheld: ' || pg_catalog.substr(st.s, pg_catalog.length('suppressed: ') + 1) END)
                            OPERATOR(pg_catalog.->>) %3$L)::%10$s, %4$L::name, %5$L::text[], q.members%11$s) AS x$s$,
                keys, CASE rt.statistic WHEN 'drivers' THEN CASE WHEN rt.bootstrap > 0 THEN 'driver_bootstrap_rows' ELSE 'driver_rows' END
                                        WHEN 'driver_map' THEN 'driver_map_rows' ELSE 'correlation_rows' END, rt.result_key,
                rt.outcome, rt.drivers::text[], p.k, p.max_member_share, pg_catalog.cardinality(p.measures), fourth,
                CASE WHEN rt.statistic IN ('drivers', 'driver_map') THEN '@extschema@.driver_model' ELSE '@extschema@.correlation[]' END,
                -- a map's shares favourable (exlink.results_select; NULL without a cut: the means)
                CASE WHEN rt.statistic = 'driver_map' THEN pg_catalog.format(', (q.exlink_results OPERATOR(pg_catalog.->>) %L)::float8[]', rt.result_key || '/favourable') ELSE '' END),
                '{period}', NULL));
    END LOOP;
    EXECUTE pg_catalog.format($q$
WITH q AS MATERIALIZED (
    SELECT * FROM (%2$s) AS q0),
ins AS (
    INSERT INTO %1$s
    SELECT %8$s FROM q ORDER BY q.period, q.level, q.cell COLLATE "C"
    RETURNING period)%9$s,
facts AS (
    SELECT (%3$s) AS period, pg_catalog.count(*) AS n, %4$s AS digest
      FROM %5$s AS s WHERE (%3$s) = ANY (%6$s) GROUP BY 1),
sealed AS (
    INSERT INTO @extschema@.sealed_periods (publication, period, released_cells, rows_at_seal, digest)
    SELECT %7$L::pg_catalog.regclass, v.period::text,
           (SELECT pg_catalog.count(*) FROM ins WHERE ins.period = v.period), coalesce(f.n, 0), coalesce(f.digest, 0)
      FROM pg_catalog.unnest(%6$s) AS v(period) LEFT JOIN facts AS f ON f.period = v.period
    RETURNING released_cells)
SELECT pg_catalog.sum(sealed.released_cells)::integer FROM sealed$q$,
        publication,
        CASE WHEN sibling_count > 0 THEN @extschema@.lattice_query(publication, arr, results_sql)
             ELSE @extschema@.publish_query(p.source, p.member_column, p.dimensions, p.measures, p.k, p.rollup, p.period, arr, results_sql) END,
        p.period, @extschema@.period_digest(p.source, p.member_column, p.dimensions, p.measures), p.source, arr, publication::text,
        cols, results_ctes)
      INTO released;
    PERFORM @extschema@.seal_alerts(publication, periods);   -- 70_alerts.sql: alerts from the cells just released
    RETURN coalesce(released, 0);
END
$fn$;
COMMENT ON FUNCTION @extschema@.seal_periods(regclass, text[]) IS
    'Custodian only (used by exlink.refresh and exlink.seal): seal periods of a period publication: a partition each, their released cells appended (each period one lattice), their rows recorded.';

-- The periods of a period publication that exlink.refresh seals now: with rows, not sealed, and
-- whose end (start + period_length) plus grace has passed.  None without a period_length.
CREATE FUNCTION @extschema@.due_periods(publication regclass)
RETURNS text[]
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    p record;
    due text[];
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = due_periods.publication AND pub.kind = 'periods';
    IF NOT FOUND OR p.period_length IS NULL THEN
        RETURN '{}';
    END IF;
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.array_agg(v.period::text ORDER BY v.period) FROM (SELECT DISTINCT (%1$s) AS period FROM %2$s AS s WHERE (%1$s) IS NOT NULL) AS v
          WHERE v.period + %3$L::interval + %4$L::interval <= pg_catalog.now()
            AND NOT EXISTS (SELECT 1 FROM @extschema@.sealed_periods sp WHERE sp.publication = %5$L::pg_catalog.regclass AND sp.period = v.period::text)',
        p.period, p.source, p.period_length, coalesce(p.grace, '0'::interval), publication::text)
      INTO due;
    RETURN coalesce(due, '{}');
END
$fn$;
COMMENT ON FUNCTION @extschema@.due_periods(regclass) IS
    'Custodian only: the periods of a period publication that exlink.refresh would seal now (with rows, not sealed, end plus grace passed).';

CREATE FUNCTION @extschema@.seal(publication regclass, period text)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    p record;
    v text;
BEGIN
    IF publication IS NULL OR period IS NULL THEN
        RAISE EXCEPTION 'exlink.seal arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = seal.publication;
    IF NOT FOUND OR p.kind <> 'periods' THEN
        RAISE EXCEPTION '% is not a period publication', publication USING ERRCODE = '22023';
    END IF;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = publication), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;
    -- the period's canonical text (the registry's key)
    BEGIN
        EXECUTE pg_catalog.format('SELECT (%L::%s)::text', period, p.period_type) INTO v;
    EXCEPTION WHEN data_exception THEN
        RAISE EXCEPTION 'invalid period % for %', pg_catalog.quote_literal(period), publication USING ERRCODE = '22P02',
            DETAIL = pg_catalog.format('Its periods have type %s.', p.period_type);
    END;
    RETURN @extschema@.seal_periods(publication, ARRAY[v]);
END
$fn$;
COMMENT ON FUNCTION @extschema@.seal(regclass, text) IS
    'Custodian (owner) only: seal one period of a period publication now, whatever its end: its released cells are appended once and never recomputed. Returns how many cells were released.';
REVOKE ALL ON FUNCTION @extschema@.seal(regclass, text) FROM PUBLIC;

-- The custodian's view of a period publication's periods: sealed ones with their rows at the
-- seal and now (late rows), and those not sealed yet with when refresh will seal them.
CREATE FUNCTION @extschema@.period_status(publication regclass)
RETURNS TABLE (period text, state text, sealed_at timestamptz, released_cells integer,
               rows_at_seal bigint, rows_now bigint, late_rows bigint, changed boolean, seal_after timestamptz)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    p record;
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = period_status.publication;
    IF NOT FOUND OR p.kind <> 'periods' THEN
        RAISE EXCEPTION '% is not a period publication', publication USING ERRCODE = '22023';
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format($q$
WITH now_ AS (
    SELECT (%1$s)::text AS period, pg_catalog.min(%1$s) AS start, pg_catalog.count(*) AS n, %2$s AS digest
      FROM %3$s AS s WHERE (%1$s) IS NOT NULL GROUP BY (%1$s))
SELECT coalesce(sp.period, now_.period),
       CASE WHEN sp.period IS NOT NULL THEN 'sealed'
            WHEN %4$s <= pg_catalog.now() THEN 'due'
            ELSE 'open' END,
       sp.sealed_at, sp.released_cells, sp.rows_at_seal, coalesce(now_.n, 0),
       CASE WHEN sp.period IS NOT NULL THEN coalesce(now_.n, 0) - sp.rows_at_seal END,
       CASE WHEN sp.period IS NOT NULL THEN coalesce(now_.n, 0) <> sp.rows_at_seal OR coalesce(now_.digest, 0) <> sp.digest END,
       CASE WHEN sp.period IS NULL THEN %4$s END
  FROM (SELECT * FROM @extschema@.sealed_periods x WHERE x.publication = %5$L::pg_catalog.regclass) AS sp
  FULL JOIN now_ ON now_.period = sp.period
 ORDER BY 1$q$,
        p.period, @extschema@.period_digest(p.source, p.member_column, p.dimensions, p.measures), p.source,
        CASE WHEN p.period_length IS NULL THEN 'NULL::timestamptz'
             ELSE pg_catalog.format('(now_.start + %L::interval + %L::interval)::timestamptz', p.period_length, coalesce(p.grace, '0'::interval)) END,
        publication::text);
END
$fn$;
COMMENT ON FUNCTION @extschema@.period_status(regclass) IS
    'Custodian only: per period of a period publication, whether it is sealed (when, cells released, its rows then and now: late rows, changed) or open or due (and when exlink.refresh seals it).';
REVOKE ALL ON FUNCTION @extschema@.period_status(regclass) FROM PUBLIC;

-- Cumulative and rolling figures for BI: a view over a period publication whose rows merge each
-- cell's released figures over a window of periods (exlink.merge: exact, since the moments of
-- disjoint row sets add).  windows: 'month', 'quarter' or 'year' (calendar windows of a date or
-- timestamp period, by date_trunc) or 'last N' (each period with the N - 1 before it, among the
-- periods the publication holds).  periods says in how many of the window's periods the cell
-- was released (a cell hidden in a period is missing from its windows' merges, not estimated).  A view that reads only a publication releases nothing new.
CREATE FUNCTION @extschema@.publish_window(window_view text, publication regclass, windows text, grant_to name[] DEFAULT '{}')
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    parts text[];
    target text;
    dims text;
    means text := '';
    field text;
    n integer;
    q text;
    r name;
    obj regclass;
BEGIN
    IF window_view IS NULL OR publication IS NULL OR windows IS NULL OR grant_to IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_window arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publish_window.publication;
    IF NOT FOUND OR p.kind <> 'periods' THEN
        RAISE EXCEPTION '% is not a period publication', publication USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.array_length(p.measures, 1), 0) = 0 THEN
        RAISE EXCEPTION 'publication % has no measures to merge', publication USING ERRCODE = '22023';
    END IF;
    parts := @extschema@.schema_qualified_name(window_view, 'view');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
    SELECT coalesce(pg_catalog.string_agg(pg_catalog.format('p.%I', d), ', ' ORDER BY o) || ', ', '')
      INTO dims FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS t(d, o);
    SELECT pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(@extschema@.merge(p.moments)))[%s] AS %I', o, 'mean_' || m), '' ORDER BY o)
      INTO means FROM pg_catalog.unnest(p.measures) WITH ORDINALITY AS t(m, o);
    field := pg_catalog.lower(pg_catalog.btrim(windows));
    IF field IN ('month', 'quarter', 'year') THEN
        IF p.period_type NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN
            RAISE EXCEPTION 'calendar windows need a date or timestamp period' USING ERRCODE = '22023',
                DETAIL = pg_catalog.format('The periods of %s have type %s.', publication, p.period_type),
                HINT = 'Use ''last N'' windows.';
        END IF;
        q := pg_catalog.format($q$
SELECT (pg_catalog.date_trunc(%1$L, p.period))::%2$s AS window_start, pg_catalog.max(p.period) AS window_end,
       %3$sp.level, p.cell, pg_catalog.count(*)::integer AS periods, @extschema@.cell_count(pg_catalog.sum(p.responses)::bigint) AS responses,
       pg_catalog.max(p.members)::integer AS members_at_least%4$s, @extschema@.merge(p.moments) AS moments
  FROM %5$s AS p
 GROUP BY 1, %3$sp.level, p.cell$q$, field, p.period_type, dims, means, publication);
    ELSIF field ~ '^last +[0-9]+$' THEN
        n := pg_catalog.regexp_replace(field, '^last +', '')::integer;
        IF n < 1 OR n > 1000 THEN
            RAISE EXCEPTION 'a window of the last N periods needs N between 1 and 1000' USING ERRCODE = '22023';
        END IF;
        q := pg_catalog.format($q$
WITH ranked AS (
    SELECT p.*, pg_catalog.dense_rank() OVER (ORDER BY p.period) AS exlink_rank FROM %1$s AS p),
ends AS (
    SELECT d.period, d.exlink_rank,
           pg_catalog.min(d.period) OVER (ORDER BY d.exlink_rank ROWS BETWEEN %4$s PRECEDING AND CURRENT ROW) AS window_start
      FROM (SELECT DISTINCT r.period, r.exlink_rank FROM ranked AS r) AS d)
SELECT e.window_start, e.period AS window_end,
       %2$sp.level, p.cell, pg_catalog.count(*)::integer AS periods, @extschema@.cell_count(pg_catalog.sum(p.responses)::bigint) AS responses,
       pg_catalog.max(p.members)::integer AS members_at_least%3$s, @extschema@.merge(p.moments) AS moments
  FROM ends AS e
  JOIN ranked AS p ON p.exlink_rank >= e.exlink_rank - %4$s AND p.exlink_rank <= e.exlink_rank
 GROUP BY e.period, e.window_start, %2$sp.level, p.cell$q$, publication, dims, means, n - 1);
    ELSE
        RAISE EXCEPTION 'windows must be ''month'', ''quarter'', ''year'' or ''last N''' USING ERRCODE = '22023';
    END IF;
    EXECUTE pg_catalog.format('CREATE VIEW %s AS %s', target, q);
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', target,
        pg_catalog.format('exlink windows (%s) of %s: each cell''s released figures merged over the window''s sealed periods', field, publication));
    PERFORM @extschema@.comment_columns(obj, publication, 'window');   -- 69_bi.sql
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_window(text, regclass, text, name[]) IS
    'A view over a period publication merging each cell''s released figures (exlink.merge) over windows of sealed periods: ''month'', ''quarter'', ''year'' (calendar, date or timestamp periods) or ''last N'' periods; the view reads only the publication.';
