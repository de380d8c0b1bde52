-- Refresh guard: cell keys by the dimension types' equality (dimension_hash, cell_id_parts),
-- the change ledger (released_cells, release_ledger, refresh_status), the release of a
-- materialized publication's cells (release_cells) and exlink.refresh.
--
-- A materialized publication is a materialized view over exlink.released_cells: it shows what
-- the guard last released, nothing else, so a plain REFRESH of it can release nothing new (the
-- library routes it to exlink.refresh anyway).  exlink.refresh computes every cell and, per cell
-- and member, a digest of the member's rows in one statement, compares the digests with the
-- ledger (what the cell's last release covered) and releases a cell's new figures only when the
-- release decision (exlink.release_status) allows the cell on its own (k, dominance) and the
-- change since its last release (0 or at least k changed members), and complementary
-- suppression allows both the levels and the changes along the hierarchy.  Otherwise the cell
-- keeps its last released figures (held back) or is hidden.

CREATE FUNCTION @extschema@.max_member_share() RETURNS float8
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_max_member_share';
COMMENT ON FUNCTION @extschema@.max_member_share() IS
    'The dominance threshold in force: exlink.max_member_share as the library reads it (never a placeholder).';

CREATE FUNCTION @extschema@.allow_unsafe_refresh() RETURNS boolean
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_allow_unsafe_refresh';
COMMENT ON FUNCTION @extschema@.allow_unsafe_refresh() IS
    'Whether exlink.refresh may refresh a snapshot publication (exlink.allow_unsafe_refresh as the library reads it, never a placeholder).';

-- The hash function of a dimension type consistent with the equality GROUP BY uses (the
-- extended hash support function of the type's default hash operator class: equal values, and
-- so every spelling of one value, hash alike), or NULL when the type has none.
CREATE FUNCTION @extschema@.dimension_hash(typ regtype)
RETURNS regproc
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH t AS (
        SELECT ty.oid, ty.typtype, ty.typcategory, ty.typelem,
               CASE WHEN ty.typtype OPERATOR(pg_catalog.=) 'd' THEN ty.typbasetype ELSE ty.oid END AS base
          FROM pg_catalog.pg_type ty WHERE ty.oid OPERATOR(pg_catalog.=) typ),
    b AS (
        SELECT t.base, bt.typtype, bt.typelem, bt.typrelid, bt.typcategory
          FROM t JOIN pg_catalog.pg_type bt ON bt.oid OPERATOR(pg_catalog.=) t.base),
    wanted(intype, pref) AS (
        SELECT b.base, 1 FROM b
        UNION ALL
        -- binary-coercible (varchar: text), the preferred type of its category first, as
        -- PostgreSQL picks a default operator class
        SELECT c.casttarget, CASE WHEN tt.typispreferred THEN 2 ELSE 3 END FROM b
          JOIN pg_catalog.pg_cast c ON c.castsource OPERATOR(pg_catalog.=) b.base AND c.castmethod OPERATOR(pg_catalog.=) 'b'
          JOIN pg_catalog.pg_type tt ON tt.oid OPERATOR(pg_catalog.=) c.casttarget
        UNION ALL
        SELECT 'pg_catalog.anyarray'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typcategory OPERATOR(pg_catalog.=) 'A'
        UNION ALL
        SELECT 'pg_catalog.anyenum'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'e'
        UNION ALL
        SELECT 'pg_catalog.anyrange'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'r'
        UNION ALL
        SELECT 'pg_catalog.anymultirange'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'm'
        UNION ALL
        SELECT 'pg_catalog.record'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'c')
    SELECT ap.amproc::pg_catalog.regproc
      FROM wanted w
      JOIN pg_catalog.pg_opclass oc ON oc.opcintype OPERATOR(pg_catalog.=) w.intype AND oc.opcdefault
      JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) oc.opcmethod AND am.amname OPERATOR(pg_catalog.=) 'hash'
      JOIN pg_catalog.pg_amproc ap ON ap.amprocfamily OPERATOR(pg_catalog.=) oc.opcfamily
                                  AND ap.amproclefttype OPERATOR(pg_catalog.=) oc.opcintype
                                  AND ap.amprocrighttype OPERATOR(pg_catalog.=) oc.opcintype
                                  AND ap.amprocnum OPERATOR(pg_catalog.=) 2
     ORDER BY w.pref
     LIMIT 1
$fn$;
COMMENT ON FUNCTION @extschema@.dimension_hash(regtype) IS
    'The extended hash function of a type''s default hash operator class (consistent with the equality GROUP BY uses), or NULL: publish refuses dimensions whose type has none.';

-- The SQL of the hash of expr (of type typ) by exlink.dimension_hash's function, with seed: a
-- direct call when the function takes typ (or a type typ casts to implicitly, or a polymorphic
-- one); otherwise (date's and bool's hash functions are those of int4 and char, which SQL cannot
-- call on a date or a bool) the hash of a one-element array, which hashes the element by the
-- same default hash operator class, so the same equality.
CREATE FUNCTION @extschema@.dimension_hash_sql(typ regtype, expr text, seed text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT CASE
        WHEN fn.oid IS NULL THEN NULL
        WHEN fn.arg OPERATOR(pg_catalog.=) ANY (ARRAY[typ::pg_catalog.oid, b.base,
                                                      'pg_catalog.anyarray'::pg_catalog.regtype::pg_catalog.oid, 'pg_catalog.anyenum'::pg_catalog.regtype::pg_catalog.oid,
                                                      'pg_catalog.anyrange'::pg_catalog.regtype::pg_catalog.oid, 'pg_catalog.anymultirange'::pg_catalog.regtype::pg_catalog.oid,
                                                      'pg_catalog.record'::pg_catalog.regtype::pg_catalog.oid])
             OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast c WHERE c.castsource OPERATOR(pg_catalog.=) b.base AND c.casttarget OPERATOR(pg_catalog.=) fn.arg
                                                            AND c.castcontext OPERATOR(pg_catalog.=) 'i')
        THEN pg_catalog.format('%I.%I(%s, %s)', fn.nsp, fn.name, expr, seed)
        ELSE pg_catalog.format('pg_catalog.hash_array_extended(ARRAY[%s], %s)', expr, seed)
    END
      FROM (SELECT CASE WHEN ty.typtype OPERATOR(pg_catalog.=) 'd' THEN ty.typbasetype ELSE ty.oid END AS base
              FROM pg_catalog.pg_type ty WHERE ty.oid OPERATOR(pg_catalog.=) typ) AS b
      LEFT JOIN (SELECT pr.oid, pr.proargtypes[0] AS arg, n.nspname AS nsp, pr.proname AS name
                   FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) pr.pronamespace
                  WHERE pr.oid OPERATOR(pg_catalog.=) @extschema@.dimension_hash(typ)) AS fn ON true
$fn$;
COMMENT ON FUNCTION @extschema@.dimension_hash_sql(regtype, text, text) IS
    'SQL of the hash of an expression of a type under its default hash operator class (exlink.dimension_hash), callable for every type (a one-element array where the function takes another type, as for date and bool); NULL when the type has none.';

-- The SQL of a cell's key parts inside a grouped query over src: one text per dimension, the
-- dimension's hash under its type's equality when the dimension is grouped ('null' for a NULL
-- value), '*' when it is rolled up.  Cells are matched (parents, children, the ledger) by these
-- keys, so 1.0 and 1.00, '1 day' and '24:00:00', 'a' and 'a  ' as bpchar, -0 and 0, values
-- equal under a nondeterministic collation, are one cell, exactly as GROUP BY makes them.
CREATE FUNCTION @extschema@.cell_id_parts(source regclass, dimensions name[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    d name;
    typ regtype;
    fn regproc;
    parts text[] := '{}';
BEGIN
    FOREACH d IN ARRAY dimensions LOOP
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = source AND a.attname = d AND a.attnum > 0 AND NOT a.attisdropped;
        IF typ IS NULL THEN
            RAISE EXCEPTION 'column % does not exist in %', pg_catalog.quote_ident(d), source USING ERRCODE = '42703';
        END IF;
        fn := @extschema@.dimension_hash(typ);
        IF fn IS NULL THEN
            RAISE EXCEPTION 'dimension % has type %, whose equality exlink cannot match', pg_catalog.quote_ident(d), typ
                USING ERRCODE = '0A000',
                DETAIL = 'Cells are matched (parents, children, releases over time) by a hash consistent with the type''s equality; the type has no default hash operator class with an extended hash function.',
                HINT = 'Publish a cast of the column to a type with one (e.g. text) from a view of your own.';
        END IF;
        parts := parts || pg_catalog.format('CASE WHEN GROUPING(src.%1$I) = 0 THEN coalesce(%2$s::text, %3$L) ELSE %4$L END',
                                            d, @extschema@.dimension_hash_sql(typ, pg_catalog.format('src.%I', d), '0'), 'null', '*');
    END LOOP;
    RETURN 'ARRAY[' || pg_catalog.array_to_string(parts, ', ') || ']::text[]';
END
$fn$;
COMMENT ON FUNCTION @extschema@.cell_id_parts(regclass, name[]) IS
    'SQL (inside a grouped query over src) of a cell''s key parts: per dimension its hash under the type''s equality, ''null'' or ''*'' (rolled up); raises 0A000 for a dimension type with no such hash.';

-- What was last released, per publication and cell (every cell ever released, shown or not):
-- the figures as the publication shows them (each column's text form, in column order), when.
CREATE TABLE @extschema@.released_cells (
    release_key text NOT NULL,
    cell_id text NOT NULL,
    parent_id text,
    level integer NOT NULL,
    members bigint NOT NULL,
    figures text[] NOT NULL,
    shown boolean NOT NULL,
    released_at timestamptz NOT NULL,
    held_since timestamptz,
    pending_members integer NOT NULL DEFAULT 0,
    results jsonb,
    basis_shown boolean NOT NULL DEFAULT true,
    PRIMARY KEY (release_key, cell_id)
);
COMMENT ON TABLE @extschema@.released_cells IS
    'Custodian only: per publication (release_key) and cell, the figures last released, whether the publication shows them, and since when a change is held back. Materialized publications read it.';
COMMENT ON COLUMN @extschema@.released_cells.release_key IS 'The publication (exlink.publications.release_key).';
COMMENT ON COLUMN @extschema@.released_cells.cell_id IS 'The cell by its dimensions'' hashes under their types'' equality (level:parts).';
COMMENT ON COLUMN @extschema@.released_cells.parent_id IS 'The parent cell''s cell_id (NULL at the top).';
COMMENT ON COLUMN @extschema@.released_cells.level IS 'Number of grouped dimensions.';
COMMENT ON COLUMN @extschema@.released_cells.members IS 'Distinct members the released figures cover.';
COMMENT ON COLUMN @extschema@.released_cells.figures IS 'The released row, each column''s text form, in the publication''s column order.';
COMMENT ON COLUMN @extschema@.released_cells.shown IS 'Whether the publication shows the cell (false: suppressed now, or gone from the source).';
COMMENT ON COLUMN @extschema@.released_cells.released_at IS 'When these figures were released.';
COMMENT ON COLUMN @extschema@.released_cells.held_since IS 'First refresh that held back a change of this cell (NULL: nothing held back).';
COMMENT ON COLUMN @extschema@.released_cells.pending_members IS 'Members changed since the release and held back at the last refresh.';
COMMENT ON COLUMN @extschema@.released_cells.basis_shown IS 'Whether figures and ledger are those analysts were last shown (false: the cell was hidden at a release, with these rows; it stays hidden in this publication).';
COMMENT ON COLUMN @extschema@.released_cells.results IS 'The results released with these figures, per results table (exlink.result_tables.result_key): the text of its driver model or correlations.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.released_cells', '');
REVOKE ALL ON @extschema@.released_cells FROM PUBLIC;

-- The change ledger: per publication, cell and member, what the cell's last release covered of
-- the member's rows (row count and a digest of the measures), to count changed members.
CREATE TABLE @extschema@.release_ledger (
    release_key text NOT NULL,
    cell_id text NOT NULL,
    member text NOT NULL,
    responses bigint NOT NULL,
    digest numeric NOT NULL,
    PRIMARY KEY (release_key, cell_id, member)
);
COMMENT ON TABLE @extschema@.release_ledger IS
    'Custodian only: per publication, cell and member, the rows the cell''s last release covered (count and digest), from which exlink.refresh counts the members changed since.';
COMMENT ON COLUMN @extschema@.release_ledger.release_key IS 'The publication (exlink.publications.release_key).';
COMMENT ON COLUMN @extschema@.release_ledger.cell_id IS 'The cell (exlink.released_cells.cell_id).';
COMMENT ON COLUMN @extschema@.release_ledger.member IS 'The member (the member column''s value, a pseudonym).';
COMMENT ON COLUMN @extschema@.release_ledger.responses IS 'The member''s rows in the cell at its last release.';
COMMENT ON COLUMN @extschema@.release_ledger.digest IS 'Sum of 64-bit hashes of the member''s measure vectors in the cell at its last release.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_ledger', '');
REVOKE ALL ON @extschema@.release_ledger FROM PUBLIC;

CREATE VIEW @extschema@.refresh_status AS
    SELECT p.object AS publication, r.figures[pg_catalog.array_length(p.dimensions, 1) + 2] AS cell, r.level, r.shown,
           r.released_at, r.held_since, pg_catalog.now() OPERATOR(pg_catalog.-) r.held_since AS held_for, r.pending_members
      FROM @extschema@.released_cells r
      JOIN @extschema@.publications p ON p.release_key OPERATOR(pg_catalog.=) r.release_key;
COMMENT ON VIEW @extschema@.refresh_status IS
    'Custodian only: per cell of every materialized publication, whether it is shown, when its figures were released and how long a change has been held back (and by how many members).';
REVOKE ALL ON @extschema@.refresh_status FROM PUBLIC;

-- The release of one publication's cells (the guard of publish and refresh).  SECURITY
-- INVOKER, like publish: EXECUTE stays granted to PUBLIC, since it needs the custodian's
-- privileges on the source and on released_cells and release_ledger to do anything.  Writes
-- released_cells and release_ledger; returns how many cells were released with new figures,
-- left unchanged, held back with their last figures, and hidden.
CREATE FUNCTION @extschema@.release_cells(
    release_key text,
    source regclass,
    member_column name,
    dimensions name[],
    measures name[],
    k integer,
    share_limit float8,
    rollup boolean,
    OUT released integer, OUT unchanged integer, OUT held integer, OUT hidden integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    shown_level integer;
    level_ids text[];
    delta_ids text[];
    fourth integer := @extschema@.results_fourth_order(release_key);
BEGIN
    shown_level := CASE WHEN rollup THEN NULL ELSE nd END;
    IF pg_catalog.to_regclass('pg_temp.exlink_refresh_rows') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_refresh_rows;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.exlink_refresh_cells') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_refresh_cells;
    END IF;
    EXECUTE 'CREATE TEMP TABLE exlink_refresh_rows ON COMMIT DROP AS '
        || @extschema@.refresh_query(source, member_column, dimensions, measures, k, rollup,
                                     @extschema@.results_select(release_key, measures));
    ANALYZE pg_temp.exlink_refresh_rows;

    -- Per cell: now (figures, members, largest member share) and since its last release.
    CREATE TEMP TABLE exlink_refresh_cells ON COMMIT DROP AS
    WITH cur AS (
        SELECT r.cell_id, r.parent_id, r.level, r.members, r.responses, r.figures, r.results
          FROM pg_temp.exlink_refresh_rows r WHERE NOT r.per_member),
    mem AS (
        SELECT r.cell_id, r.member, r.responses, r.digest
          FROM pg_temp.exlink_refresh_rows r WHERE r.per_member),
    top AS (
        SELECT mem.cell_id, pg_catalog.max(mem.responses) AS top FROM mem GROUP BY mem.cell_id),
    old AS (
        SELECT l.cell_id, l.member, l.responses, l.digest
          FROM @extschema@.release_ledger l WHERE l.release_key = release_cells.release_key),
    -- The change's facts: its members, and its largest member's share of the change's rows.
    -- What two releases let an analyst derive is the difference of their sums over the
    -- difference of their row counts, so a member's part of the change is its net rows, |new -
    -- old| (at least 1 for a member whose rows changed in value only): exact for rows added or
    -- removed (the attack: one member adds 60 of a change's 64 rows).  The ledger keeps each
    -- member's row count and digest, not its rows, so rows rewritten beside rows added count by
    -- the net (docs/security.md, Dominance).  For unions of changes (complementary suppression)
    -- a cell gives its largest member's net rows and its total: a union's largest member holds
    -- at most the sum of the largest over the sum of the totals.
    delta AS (
        SELECT coalesce(mem.cell_id, old.cell_id) AS cell_id,
               GREATEST(pg_catalog.abs(coalesce(mem.responses, 0) - coalesce(old.responses, 0)), 1) AS net
          FROM mem FULL JOIN old ON old.cell_id = mem.cell_id AND old.member = mem.member
         WHERE mem.responses IS DISTINCT FROM old.responses OR mem.digest IS DISTINCT FROM old.digest),
    changed AS (
        SELECT d.cell_id, pg_catalog.count(*) AS changed,
               pg_catalog.sum(d.net)::bigint AS change_rows,
               pg_catalog.max(d.net)::bigint AS change_top
          FROM delta d
         GROUP BY 1),
    prev AS (
        SELECT rc.cell_id, rc.parent_id, rc.level, rc.members, rc.figures[nd + 2] AS cell, rc.basis_shown
          FROM @extschema@.released_cells rc
         WHERE rc.release_key = release_cells.release_key)
    SELECT coalesce(cur.cell_id, prev.cell_id) AS cell_id,
           coalesce(cur.figures[nd + 2], prev.cell) AS cell,
           coalesce(cur.parent_id, prev.parent_id) AS parent_id,
           coalesce(cur.level, prev.level) AS level,
           cur.cell_id IS NOT NULL AS present,
           prev.cell_id IS NOT NULL AND prev.basis_shown AS was_released,
           prev.cell_id IS NOT NULL AND NOT prev.basis_shown AS hidden_basis,
           coalesce(cur.members, 0) AS members,
           cur.figures,
           cur.results,
           cur.responses, top.top,
           coalesce(changed.changed, 0) AS changed,
           coalesce(changed.change_rows, 0) AS change_rows,
           coalesce(changed.change_top, 0) AS change_top
      FROM cur
      FULL JOIN prev ON prev.cell_id = cur.cell_id
      LEFT JOIN top ON top.cell_id = cur.cell_id
      LEFT JOIN changed ON changed.cell_id = coalesce(cur.cell_id, prev.cell_id);
    -- Complementary suppression works on the displayed keys (its tie-breaks order them as
    -- publications always have); the parent's is found by cell_id, i.e. by the types' equality.
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN parent text;
    UPDATE pg_temp.exlink_refresh_cells c SET parent = p.cell
      FROM pg_temp.exlink_refresh_cells p WHERE p.cell_id = c.parent_id;

    -- What analysts hold across releases.  A cell shown before and unchanged since (known) shows
    -- the same figures again and cannot be a complement: hiding figures already public protects
    -- nothing.  A cell hidden at an earlier release (hidden_basis) stays hidden in this
    -- publication (sticky): its figures then are in that release's totals, and showing it later,
    -- with the changes later releases disclose (a parent's difference), would give them, and with
    -- them a small group by subtraction (test/sql/security_refresh.sql: shifting complements).
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN known boolean, ADD COLUMN sticky boolean;
    UPDATE pg_temp.exlink_refresh_cells c
       SET known = c.present AND c.was_released AND c.changed = 0,
           sticky = c.present AND c.hidden_basis;

    -- The levels now: each present cell on its own (k, dominance; sticky cells suppressed), then
    -- complementary suppression along the hierarchy, never picking a known cell as a complement.
    SELECT pg_catalog.array_agg(c.cell_id) INTO level_ids
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.cell = ANY ((SELECT @extschema@.suppress_cells(pg_catalog.array_agg(x.cell), pg_catalog.array_agg(x.parent),
                                     pg_catalog.array_agg(x.members),
                                     pg_catalog.array_agg(NOT x.sticky AND @extschema@.release_status(x.members, k, x.responses, x.top, NULL, share_limit) = 'ok'),
                                     k, pg_catalog.array_agg(x.known), pg_catalog.array_agg(x.responses), pg_catalog.array_agg(x.top), share_limit)
                            FROM pg_temp.exlink_refresh_cells x WHERE x.present)::text[])
       AND c.present;
    level_ids := coalesce(level_ids, '{}');

    -- The changes: a cell's new figures may replace its last release when the level pass allows
    -- the cell and the release decision allows its change (0 or at least k changed members);
    -- then complementary suppression over the changes (members = changed members), so that no
    -- change held back can be derived from released changes of its parent and siblings.  A cell
    -- gone from the source counts as a released change (its absence is visible), and so does a
    -- change of 0 members (hidden cells included: their ledger holds their rows when hidden, so
    -- an unchanged hidden cell no longer passes for a change that covers others).
    SELECT pg_catalog.array_agg(c.cell_id) INTO delta_ids
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.cell = ANY ((SELECT @extschema@.suppress_cells(pg_catalog.array_agg(x.cell), pg_catalog.array_agg(x.parent),
                                     pg_catalog.array_agg(x.changed),
                                     pg_catalog.array_agg(CASE WHEN NOT x.present OR x.changed = 0 THEN true
                                                               ELSE x.cell_id = ANY (level_ids)
                                                                    AND @extschema@.release_status(x.members, k, x.responses, x.top, x.changed, share_limit, x.change_rows, x.change_top) = 'ok' END),
                                     k, NULL::boolean[], pg_catalog.array_agg(x.change_rows), pg_catalog.array_agg(x.change_top), share_limit)
                            FROM pg_temp.exlink_refresh_cells x)::text[]);
    delta_ids := coalesce(delta_ids, '{}');

    -- Each cell's outcome: new figures (released), the same figures (unchanged), its last shown
    -- figures while a change waits (held), or not shown (hidden; a cell hidden for the first time
    -- gets its current rows as its basis, and stays hidden).
    -- The inference of a cell's results, over all its results tables together: the release
    -- decision's fourth-order rule on the cell's members, its measures (whose moments it
    -- publishes) and the results tables' fourth-order figures (exlink.results_fourth_order).
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN withheld text;
    IF fourth > 0 THEN
        UPDATE pg_temp.exlink_refresh_cells c
           SET withheld = 'withheld: ' OPERATOR(pg_catalog.||) pg_catalog.substr(s.status, pg_catalog.length('suppressed: ') + 1)
          FROM (SELECT x.cell_id, @extschema@.release_status(x.members, k, x.responses, x.top, NULL, share_limit, NULL, NULL,
                                                             pg_catalog.cardinality(measures), fourth) AS status
                  FROM pg_temp.exlink_refresh_cells x WHERE x.present) s
         WHERE s.cell_id = c.cell_id AND s.status <> 'ok';
    END IF;

    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN outcome text;
    UPDATE pg_temp.exlink_refresh_cells c
       SET outcome = CASE
           WHEN NOT c.present THEN 'gone'
           WHEN c.cell_id = ANY (level_ids) AND c.cell_id = ANY (delta_ids) AND (c.changed > 0 OR NOT c.was_released) THEN 'released'
           WHEN c.cell_id = ANY (level_ids) AND c.was_released AND c.changed = 0 THEN 'unchanged'
           WHEN c.cell_id = ANY (level_ids) AND c.was_released THEN 'held'
           ELSE 'hidden' END;
    SELECT pg_catalog.count(*) FILTER (WHERE c.outcome = 'released'),
           pg_catalog.count(*) FILTER (WHERE c.outcome = 'unchanged'),
           pg_catalog.count(*) FILTER (WHERE c.outcome = 'held'),
           pg_catalog.count(*) FILTER (WHERE c.outcome IN ('hidden', 'gone') AND (c.was_released OR c.hidden_basis))
      INTO released, unchanged, held, hidden
      FROM pg_temp.exlink_refresh_cells c;

    -- New figures, and cells hidden for the first time (their rows then, never shown; sticky
    -- from now on): the rows and the ledger of both.
    INSERT INTO @extschema@.released_cells AS rc (release_key, cell_id, parent_id, level, members, figures, shown, released_at, held_since, pending_members, results, basis_shown)
    SELECT release_cells.release_key, c.cell_id, c.parent_id, c.level, c.members, c.figures,
           c.outcome = 'released' AND (shown_level IS NULL OR c.level = shown_level), pg_catalog.now(), NULL, 0,
           @extschema@.withhold_inference(c.results, c.withheld), c.outcome = 'released'
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)
    ON CONFLICT ON CONSTRAINT released_cells_pkey DO UPDATE
       SET parent_id = excluded.parent_id, level = excluded.level, members = excluded.members,
           figures = excluded.figures, shown = excluded.shown, released_at = excluded.released_at,
           held_since = NULL, pending_members = 0, results = excluded.results, basis_shown = excluded.basis_shown;
    DELETE FROM @extschema@.release_ledger l
     USING pg_temp.exlink_refresh_cells c
     WHERE l.release_key = release_cells.release_key AND l.cell_id = c.cell_id
       AND (c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)) AND c.changed > 0;
    INSERT INTO @extschema@.release_ledger (release_key, cell_id, member, responses, digest)
    SELECT release_cells.release_key, r.cell_id, r.member, r.responses, r.digest
      FROM pg_temp.exlink_refresh_rows r
      JOIN pg_temp.exlink_refresh_cells c ON c.cell_id = r.cell_id
     WHERE r.per_member AND (c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)) AND c.changed > 0;
    -- Unchanged cells: shown with the figures they had (the same rows; even when complementary
    -- suppression of the changes picked them, showing them again shows nothing new), and the
    -- results of those same rows for a results table published since (results already
    -- released stay as they were: recomputed, they could differ in the last bits).
    UPDATE @extschema@.released_cells rc
       SET shown = shown_level IS NULL OR rc.level = shown_level, held_since = NULL, pending_members = 0,
           results = @extschema@.withhold_inference(CASE WHEN c.results IS NULL THEN rc.results
                                                         -- (kept, but withheld where computed now they are)
                                                         ELSE c.results || @extschema@.withhold_like(coalesce(rc.results, '{}'), c.results) END,
                                                    c.withheld)
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id AND c.outcome = 'unchanged';
    -- Held back: the last release stays (shown), the change waits.
    UPDATE @extschema@.released_cells rc
       SET shown = shown_level IS NULL OR rc.level = shown_level,
           held_since = coalesce(rc.held_since, pg_catalog.now()), pending_members = c.changed
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id AND c.outcome = 'held';
    -- Hidden before (sticky), or gone from the source: not shown, the basis and its ledger kept
    -- (a gone cell's next release is compared with what analysts saw last).
    UPDATE @extschema@.released_cells rc
       SET shown = false, pending_members = c.changed
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id
       AND (c.outcome = 'gone' OR (c.outcome = 'hidden' AND c.hidden_basis));
    DROP TABLE pg_temp.exlink_refresh_rows;
    DROP TABLE pg_temp.exlink_refresh_cells;
END
$fn$;
COMMENT ON FUNCTION @extschema@.release_cells(text, regclass, name, name[], name[], integer, float8, boolean) IS
    'Custodian only: the guard of publish and refresh: recompute a materialized publication''s cells and release each as the release decision allows (k, dominance, change since its last release; complementary suppression of levels and changes), writing released_cells and release_ledger.';

-- A count of a published cell (its rows, its members, a window's sum of rows) as the integer
-- column BI drivers read as a number (node-postgres and others read bigint as text).  A cell of
-- more than 2^31 - 1 rows is refused with 22003 rather than published as bigint in that one
-- case: a column's type that depends on the data would break the dashboards reading it.
CREATE FUNCTION @extschema@.cell_count(n bigint)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF n > 2147483647 OR n < 0 THEN
        RAISE EXCEPTION 'a published count is out of the integer range' USING ERRCODE = '22003',
            DETAIL = 'Publications, windows and results tables hold the rows and members of a cell as integer (at most 2147483647).',
            HINT = 'Publish at a finer grain, or with a period, so that no cell has that many rows.';
    END IF;
    RETURN n::integer;
END
$fn$;
COMMENT ON FUNCTION @extschema@.cell_count(bigint) IS
    'Used by publications, windows and results tables: a cell''s count as integer; 22003 beyond 2147483647 (no cell is published with a bigint count).';

-- The columns of a publication, typed, from a figures text[] column of alias r: the dimensions
-- (the source's types and collations), level, cell, responses, members (integer, through
-- exlink.cell_count), mean_<measure>, moments.
CREATE FUNCTION @extschema@.typed_figures(source regclass, dimensions name[], measures name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH cols(o, expr) AS (
        SELECT t.o, pg_catalog.format('(r.figures[%s])::%s%s AS %I', t.o, pg_catalog.format_type(a.atttypid, a.atttypmod),
                                      CASE WHEN a.attcollation <> 0 AND a.attcollation <> 'pg_catalog.default'::pg_catalog.regcollation
                                           THEN ' COLLATE ' || a.attcollation::pg_catalog.regcollation::text ELSE '' END,
                                      t.d)
          FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = source AND a.attname = t.d
        UNION ALL
        SELECT n + x.o, pg_catalog.format(CASE WHEN x.typ = 'count' THEN '@extschema@.cell_count((r.figures[%s])::bigint) AS %3$I'
                                               ELSE '(r.figures[%s])::%s AS %I' END, n + x.o, x.typ, x.col)
          FROM (SELECT coalesce(pg_catalog.array_length(dimensions, 1), 0) AS n) nd,
               LATERAL (SELECT * FROM (VALUES (1, 'integer', 'level'), (2, 'text', 'cell'), (3, 'count', 'responses'), (4, 'count', 'members')) v(o, typ, col)
                        UNION ALL
                        SELECT 4 + m.o, 'double precision', 'mean_' || m.m FROM pg_catalog.unnest(measures) WITH ORDINALITY AS m(m, o)
                        UNION ALL
                        SELECT 5 + coalesce(pg_catalog.array_length(measures, 1), 0), '@extschema@.moments', 'moments'
                         WHERE coalesce(pg_catalog.array_length(measures, 1), 0) > 0) x)
    SELECT pg_catalog.string_agg(cols.expr, ', ' ORDER BY cols.o) FROM cols
$fn$;
COMMENT ON FUNCTION @extschema@.typed_figures(regclass, name[], name[]) IS
    'SQL select list of a publication''s columns cast to their types from the text[] figures of alias r.';

-- The definition of a materialized publication: its shown cells in released_cells.
CREATE FUNCTION @extschema@.released_query(release_key text, source regclass, dimensions name[], measures name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT pg_catalog.format('SELECT %s FROM @extschema@.released_cells AS r WHERE r.release_key = %L AND r.shown ORDER BY r.level, r.figures[%s] COLLATE "C"',
                             @extschema@.typed_figures(source, dimensions, measures), release_key,
                             coalesce(pg_catalog.array_length(dimensions, 1), 0) + 2)
$fn$;
COMMENT ON FUNCTION @extschema@.released_query(text, regclass, name[], name[]) IS
    'The SELECT of a materialized publication: the shown cells of exlink.released_cells for release_key, each column cast to its type.';

-- Rebuilds a publication made by exlink 0.1.0 (a materialized view computing its cells) as a
-- table of its released cells (as publish makes them), keeping its name, owner, privileges and
-- comment; returns the new relation.
CREATE FUNCTION @extschema@.rebuild_publication(publication regclass, release_key text)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    target text := publication::text;
    rel name;
    owner name;
    acl aclitem[];
    note text := pg_catalog.obj_description(publication, 'pg_class');
    obj regclass;
    g record;
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner), c.relacl INTO rel, owner, acl
      FROM pg_catalog.pg_class c WHERE c.oid = publication;
    BEGIN
        EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', target);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE EXCEPTION 'publication % made by exlink 0.1.0 cannot be rebuilt for the refresh guard', target
            USING ERRCODE = '2BP01',
            DETAIL = 'Other objects depend on it; its definition must become one over exlink.released_cells.',
            HINT = 'Drop the dependent views, run exlink.refresh once, and create them again.';
    END;
    EXECUTE pg_catalog.format('CREATE TABLE %s AS %s', target,
                              @extschema@.released_query(release_key, p.source, p.dimensions, p.measures));
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(rel, 50) || '_cell', target);
    IF owner <> CURRENT_USER THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', target, owner);
    END IF;
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOR g IN SELECT DISTINCT pg_catalog.pg_get_userbyid(a.grantee) AS who
               FROM pg_catalog.aclexplode(acl) a
              WHERE a.privilege_type = 'SELECT' AND a.grantee <> 0 AND a.grantee <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = owner) LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, g.who);
    END LOOP;
    IF note IS NOT NULL THEN
        EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target, note);
    END IF;
    UPDATE @extschema@.publications pub SET object = obj, release_key = rebuild_publication.release_key
     WHERE pub.object = publication;
    PERFORM @extschema@.comment_columns(obj, obj, 'cells');   -- 69_bi.sql
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.rebuild_publication(regclass, text) IS
    'Custodian only (used by exlink.refresh): rebuild a materialized publication made by exlink 0.1.0 as a table of its cells in exlink.released_cells, keeping its name, owner, SELECT grants and comment.';

-- A snapshot publication or results table shows what was just released: a table (made by 0.3.0)
-- is emptied and filled again from released_cells in the caller's transaction (readers see the
-- rows of the last release or of this one, never none), a materialized view (made by 0.2.0) is
-- refreshed (exlink.refresh_released).  Its definition is the same query either way
-- (released_query, results_query).  SECURITY INVOKER: only the owner can write the table.
CREATE FUNCTION @extschema@.show_released(object regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    q text;
BEGIN
    IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = object) = 'm' THEN
        PERFORM @extschema@.refresh_released(object);
        RETURN;
    END IF;
    SELECT @extschema@.released_query(p.release_key, p.source, p.dimensions, p.measures) INTO q
      FROM @extschema@.publications p WHERE p.object = show_released.object AND p.kind = 'materialized';
    IF q IS NULL THEN
        SELECT @extschema@.results_query(rt.result_key, rt.publication, rt.statistic, rt.outcome, rt.drivers, rt.bootstrap) INTO q   -- 69_bi.sql
          FROM @extschema@.result_tables rt
          JOIN @extschema@.publications p ON p.object = rt.publication AND p.kind = 'materialized'
         WHERE rt.object = show_released.object;
    END IF;
    IF q IS NULL THEN
        RAISE EXCEPTION '% is not a snapshot publication or a results table of one', object USING ERRCODE = '22023';
    END IF;
    EXECUTE pg_catalog.format('DELETE FROM %s', object);
    EXECUTE pg_catalog.format('INSERT INTO %s %s', object, q);
END
$fn$;
COMMENT ON FUNCTION @extschema@.show_released(regclass) IS
    'Custodian only (used by exlink.refresh): a snapshot publication or results table filled again with what released_cells holds now (a table: emptied and filled in the caller''s transaction; a materialized view made by exlink 0.2.0: refreshed).';

CREATE FUNCTION @extschema@.refresh(publication regclass,
    OUT released integer, OUT unchanged integer, OUT held integer, OUT hidden integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    owner oid;
    key text;
BEGIN
    IF publication IS NULL THEN
        RAISE EXCEPTION 'publication cannot be null' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    IF p.kind = 'live' THEN
        RAISE EXCEPTION '% is a live publication: it has no refresh', publication USING ERRCODE = '22023',
            DETAIL = 'A live publication computes its cells when it is read; it is current, never held back.';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = publication;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;

    -- A period publication: seal the periods closed since (exlink.seal_periods); the cells of
    -- periods sealed before are never recomputed, nothing is ever held back, and hidden cells
    -- are not counted (they are computed and dropped, never stored).
    IF p.kind = 'periods' THEN
        released := @extschema@.seal_periods(publication, @extschema@.due_periods(publication));
        SELECT coalesce(pg_catalog.sum(sp.released_cells), 0)::integer - released INTO unchanged
          FROM @extschema@.sealed_periods sp WHERE sp.publication = refresh.publication;
        held := 0;
        hidden := NULL;
        RETURN;
    END IF;

    -- A snapshot whose view is not populated (pg_restore makes materialized views WITH NO DATA
    -- and refreshes them after the registries' rows): filled from the cells it released
    -- (exlink.released_cells, restored with them), which releases nothing new.  (One made by
    -- 0.1.0 computes its cells itself: refused below, as any refresh.)
    IF p.release_key IS NOT NULL AND NOT (SELECT c.relispopulated FROM pg_catalog.pg_class c WHERE c.oid = publication) THEN
        PERFORM @extschema@.refresh_released(publication);
        released := 0;
        SELECT pg_catalog.count(*)::integer INTO unchanged FROM @extschema@.released_cells rc WHERE rc.release_key = p.release_key;
        held := 0;
        hidden := NULL;
        RETURN;
    END IF;

    -- A snapshot (no period) is published once: a refresh would release its cells again over
    -- other rows, and releases can be subtracted (change and change back, parent and child at
    -- different times); the 0.2.0 change ledger only on a superuser's explicit opt-in.
    IF NOT @extschema@.allow_unsafe_refresh() THEN
        RAISE EXCEPTION '% is a snapshot publication (it has no period): it is published once and not refreshed', publication
            USING ERRCODE = '42501',
            DETAIL = 'Releasing its cells again over other rows lets analysts subtract releases and isolate one employee; the change ledger does not prevent this over sequences of releases.',
            HINT = 'Publish it with a period (exlink.publish(..., period => ..., period_length => ...)) and refresh that: sealed periods are computed once. A superuser may set exlink.allow_unsafe_refresh = on to refresh snapshots anyway (unsafe).';
    END IF;

    IF p.release_key IS NULL THEN
        -- Made by exlink 0.1.0 (it computes its cells itself): its first guarded release is this
        -- one, and it is rebuilt over released_cells.
        key := pg_catalog.gen_random_uuid()::text;
        SELECT * INTO released, unchanged, held, hidden
          FROM @extschema@.release_cells(key, p.source, p.member_column, p.dimensions, p.measures, p.k,
                                         p.max_member_share, p.rollup);
        PERFORM @extschema@.rebuild_publication(publication, key);
        RETURN;
    END IF;

    SELECT * INTO released, unchanged, held, hidden
      FROM @extschema@.release_cells(p.release_key, p.source, p.member_column, p.dimensions, p.measures, p.k,
                                     p.max_member_share, p.rollup);
    PERFORM @extschema@.show_released(publication);
    -- Its results tables show what was just released with the cells.
    PERFORM @extschema@.show_released(rt.object)
       FROM @extschema@.result_tables rt
      WHERE rt.publication = refresh.publication
        AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt.object);
END
$fn$;
COMMENT ON FUNCTION @extschema@.refresh(regclass) IS
    'Custodian (owner) only: refresh a materialized publication through the guard: each cell gets its new figures only when the change since its last release covers 0 or at least k members (and k, dominance and complementary suppression allow it); otherwise it keeps its last figures. Returns the cells released, unchanged, held back and hidden.';
REVOKE ALL ON FUNCTION @extschema@.refresh(regclass) FROM PUBLIC;

CREATE FUNCTION @extschema@.refresh_released(publication regclass) RETURNS void
    LANGUAGE c VOLATILE STRICT
    AS 'MODULE_PATHNAME', 'exlink_refresh_released';
COMMENT ON FUNCTION @extschema@.refresh_released(regclass) IS
    'Custodian only (used by exlink.refresh): REFRESH MATERIALIZED VIEW (CONCURRENTLY when populated) of a publication from released_cells, past the guard that routes a plain REFRESH to exlink.refresh.';
