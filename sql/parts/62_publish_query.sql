-- One computation of cells: every cell (figures, members, largest member share) and, per cell
-- and member, the member's rows (count, digest), in ONE statement so that both describe the same
-- snapshot of the source.  Rows with per_member = true are the members of a cell.  With a period
-- (an SQL expression over the source's columns, exlink_period in the result), every grouping set
-- also groups by the period, cells are keyed within their period (cell_id and parent_id begin
-- with the period's text), and only rows whose period is one of periods (SQL of an array of the
-- period's type) are read: the cells of each period are a function of that period's rows only.
-- With members => false (publish_query, lattice_query: no ledger), no per-member rows: each
-- cell's row carries top, its largest member's rows, computed from raw dimension values and
-- keyed by the cell's text (far cheaper than a row, a key and an identifier per cell and member).
CREATE FUNCTION @extschema@.refresh_query(
    source regclass,
    member_column name,
    dimensions name[],
    measures name[],
    k integer,
    rollup boolean,
    results text DEFAULT NULL,
    period text DEFAULT NULL,
    periods text DEFAULT NULL,
    members boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    dim_sel text;
    dim_list text;
    dim_text text;
    level_expr text;
    where_expr text;
    vals text := '';
    finite text := '';
    means_text text := '';
    sets text;
    cell_sets text;
    pp text := CASE WHEN period IS NULL THEN '' ELSE 'src.exlink_period, ' END;
    pcol text := CASE WHEN period IS NULL THEN 'NULL::text' ELSE 'src.exlink_period' END;
    grains text;
BEGIN
    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('src.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('src.%I::text', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('(1 - GROUPING(src.%I))', d), ' + ' ORDER BY o)
      INTO dim_sel, dim_list, dim_text, level_expr
      FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    where_expr := pg_catalog.format('s.%I IS NOT NULL AND s.%I::text <> %L', member_column, member_column, '');
    IF nm > 0 THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(' AND s.%I::float8 > %L::float8 AND s.%I::float8 < %L::float8',
                                                       m, '-Infinity', m, 'Infinity'), '' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(@extschema@.moments(src.exlink_vals, src.exlink_member, %s)))[%s]::text', k, o), '' ORDER BY o)
          INTO vals, finite, means_text
          FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o);
        where_expr := where_expr || finite;
    END IF;
    IF period IS NOT NULL THEN
        dim_sel := dim_sel || pg_catalog.format(', (%s) AS exlink_period', period);
        where_expr := where_expr || pg_catalog.format(' AND (%s) IS NOT NULL', period)
                      || coalesce(pg_catalog.format(' AND (%s) = ANY (%s)', period, periods), '');
    END IF;
    IF rollup THEN
        cell_sets := 'ROLLUP (' || dim_list || ')';
        SELECT pg_catalog.string_agg(pg_catalog.format('(%s%s)', pp, coalesce(g || ', ', '') || 'src.exlink_member'), ', ' ORDER BY i)
          INTO sets
          FROM (SELECT i, (SELECT pg_catalog.string_agg(pg_catalog.format('src.%I', d), ', ' ORDER BY o)
                             FROM pg_catalog.unnest(dimensions[1:i]) WITH ORDINALITY AS t(d, o)) AS g
                  FROM pg_catalog.generate_series(0, nd) AS i) s;
    ELSE
        cell_sets := pg_catalog.format('GROUPING SETS ((%s), ())', dim_list);
        sets := pg_catalog.format('(%2$s%1$s, src.exlink_member), (%2$ssrc.exlink_member)', dim_list, pp);
    END IF;
    IF NOT members THEN
        -- The largest member's rows per cell: rows per member at the finest grain (f), summed
        -- per member at each coarser grain and the largest taken per cell (t, one hash
        -- aggregate per grain: smaller than one over all grouping sets), keyed by the cell's
        -- text (as c's exlink_cell) only then.
        SELECT pg_catalog.string_agg(pg_catalog.format($t$
    UNION ALL
    SELECT x.exlink_period, %1$L || pg_catalog.jsonb_build_array(%2$s)::text, pg_catalog.max(x.responses)::bigint
      FROM (SELECT f.exlink_period%3$s, pg_catalog.sum(f.responses) AS responses
              FROM f GROUP BY f.exlink_period%3$s, f.exlink_member) AS x
     GROUP BY x.exlink_period%4$s$t$,
                   i || ':',
                   (SELECT pg_catalog.string_agg(CASE WHEN o <= i THEN pg_catalog.format('x.exlink_d%s', o) ELSE 'NULL' END, ', ' ORDER BY o)
                      FROM pg_catalog.generate_series(1, nd) AS o),
                   (SELECT pg_catalog.string_agg(pg_catalog.format(', f.exlink_d%s', o), '' ORDER BY o) FROM pg_catalog.generate_series(1, i) AS o),
                   (SELECT pg_catalog.string_agg(pg_catalog.format(', x.exlink_d%s', o), '' ORDER BY o) FROM pg_catalog.generate_series(1, i) AS o)), '' ORDER BY i)
          INTO grains
          FROM pg_catalog.generate_series(0, nd - 1) AS i
         WHERE rollup OR i = 0;
        RETURN pg_catalog.format($q$
WITH src AS NOT MATERIALIZED (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s),
c AS MATERIALIZED (
    SELECT %12$s AS exlink_period, %6$s AS level, %7$s AS key_parts, pg_catalog.count(*) AS responses,
           pg_catalog.count(DISTINCT src.exlink_member) AS members,
           ARRAY[%8$s, (%6$s)::text, %9$s, pg_catalog.count(*)::text,
                 pg_catalog.count(DISTINCT src.exlink_member)::text%10$s] AS figures,
           %11$s AS results, %9$s AS exlink_cell
      FROM src GROUP BY %13$s%14$s),
f AS MATERIALIZED (
    SELECT %12$s AS exlink_period, %15$s, src.exlink_member, pg_catalog.count(*) AS responses
      FROM src GROUP BY %13$s%16$s, src.exlink_member),
t AS (
    SELECT f.exlink_period, %17$L || pg_catalog.jsonb_build_array(%18$s)::text AS cell, pg_catalog.max(f.responses) AS top
      FROM f GROUP BY f.exlink_period, %18$s%19$s)
SELECT false AS per_member, g.level,
       %20$sg.level || ':' || pg_catalog.array_to_string(g.key_parts, ',') AS cell_id,
       %20$s%21$s AS parent_id,
       NULL::text AS member, g.responses, g.members, 0::numeric AS digest, g.figures, g.results, g.exlink_period, t.top
  FROM c AS g
  LEFT JOIN t ON t.cell = g.exlink_cell%22$s$q$,
            dim_sel, member_column,
            CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
            source::text, where_expr,
            level_expr, @extschema@.cell_id_parts(source, dimensions),
            dim_text,
            pg_catalog.format('(%s)::text || %L || pg_catalog.jsonb_build_array(%s)::text', level_expr, ':', dim_list),
            means_text || CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s)::text', k) ELSE '' END,
            coalesce(results, 'NULL::jsonb'),
            pcol, pp, cell_sets,
            (SELECT pg_catalog.string_agg(pg_catalog.format('src.%I AS exlink_d%s', d, o), ', ' ORDER BY o)
               FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o)),
            dim_list,
            nd || ':',
            (SELECT pg_catalog.string_agg(pg_catalog.format('f.exlink_d%s', o), ', ' ORDER BY o)
               FROM pg_catalog.generate_series(1, nd) AS o),
            grains,
            CASE WHEN period IS NULL THEN '' ELSE pg_catalog.format('g.exlink_period::text || %L || ', '|') END,
            CASE WHEN rollup
                 THEN pg_catalog.format('CASE WHEN g.level > 0 THEN (g.level - 1) || %L || pg_catalog.array_to_string(g.key_parts[1:g.level - 1] || pg_catalog.array_fill(%L::text, ARRAY[%s - g.level + 1]), %L) END',
                                        ':', '*', nd, ',')
                 ELSE pg_catalog.format('CASE WHEN g.level = %s THEN %L END', nd,
                                        '0:' || pg_catalog.array_to_string(pg_catalog.array_fill('*'::text, ARRAY[nd]), ','))
            END,
            CASE WHEN period IS NULL THEN '' ELSE ' AND t.exlink_period = g.exlink_period' END);
    END IF;
    -- src is read twice in one statement (one snapshot): once for the cells (as publications
    -- always computed them), once per member at the finest grain, rolled up per member from there
    -- (far fewer rows than the source, and no moments per member).
    RETURN pg_catalog.format($q$
WITH src AS NOT MATERIALIZED (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s),
c AS (
    SELECT %17$s AS exlink_period, %6$s AS level, %7$s AS key_parts, pg_catalog.count(*) AS responses,
           pg_catalog.count(DISTINCT src.exlink_member) AS members,
           ARRAY[%9$s, (%6$s)::text, %10$s, pg_catalog.count(*)::text,
                 pg_catalog.count(DISTINCT src.exlink_member)::text%11$s] AS figures,
           %16$s AS results
      FROM src GROUP BY %18$s%14$s),
f AS (
    SELECT %18$s%15$s, src.exlink_member, pg_catalog.count(*) AS responses, %8$s AS digest
      FROM src GROUP BY %18$s%15$s, src.exlink_member),
m AS (
    SELECT %17$s AS exlink_period, %6$s AS level, %7$s AS key_parts, src.exlink_member AS member,
           pg_catalog.sum(src.responses)::bigint AS responses, pg_catalog.sum(src.digest) AS digest
      FROM f AS src GROUP BY GROUPING SETS (%12$s)),
g AS (
    SELECT false AS per_member, c.level, c.key_parts, NULL::text AS member, c.responses, c.members,
           0::numeric AS digest, c.figures, c.results, c.exlink_period
      FROM c
    UNION ALL
    SELECT true, m.level, m.key_parts, m.member, m.responses, NULL::bigint, m.digest, NULL::text[], NULL::jsonb, m.exlink_period
      FROM m)
SELECT g.per_member, g.level,
       %19$sg.level || ':' || pg_catalog.array_to_string(g.key_parts, ',') AS cell_id,
       %19$s%13$s AS parent_id,
       g.member, g.responses, g.members, g.digest, g.figures, g.results, g.exlink_period, NULL::bigint AS top
  FROM g$q$,
        dim_sel, member_column,
        CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
        source::text, where_expr,
        level_expr, @extschema@.cell_id_parts(source, dimensions),
        -- (a period's cells are released once: no change ledger, so no digest)
        CASE WHEN nm > 0 AND period IS NULL THEN 'coalesce(pg_catalog.sum(pg_catalog.hash_array_extended(src.exlink_vals, 0)), 0)' ELSE '0::numeric' END,
        dim_text,
        pg_catalog.format('(%s)::text || %L || pg_catalog.jsonb_build_array(%s)::text', level_expr, ':', dim_list),
        means_text || CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s)::text', k) ELSE '' END,
        sets,
        CASE WHEN rollup
             THEN pg_catalog.format('CASE WHEN g.level > 0 THEN (g.level - 1) || %L || pg_catalog.array_to_string(g.key_parts[1:g.level - 1] || pg_catalog.array_fill(%L::text, ARRAY[%s - g.level + 1]), %L) END',
                                    ':', '*', nd, ',')
             ELSE pg_catalog.format('CASE WHEN g.level = %s THEN %L END', nd,
                                    '0:' || pg_catalog.array_to_string(pg_catalog.array_fill('*'::text, ARRAY[nd]), ','))
        END,
        cell_sets, dim_list, coalesce(results, 'NULL::jsonb'),
        pcol, pp, CASE WHEN period IS NULL THEN '' ELSE pg_catalog.format('g.exlink_period::text || %L || ', '|') END);
END
$fn$;
COMMENT ON FUNCTION @extschema@.refresh_query(regclass, name, name[], name[], integer, boolean, text, text, text, boolean) IS
    'The SELECT of every cell (figures as text, members, rows, and the results of results tables from the SQL of exlink.results_select) and every member of every cell (rows, digest), in one snapshot; with a period expression, cells per period (exlink_period) of the periods given only; with members false, no member rows but each cell''s largest member''s rows (top).';


-- The publication query builder: the SELECT of the cells publish would release now (a live
-- publication is a security_barrier view of it), built from the same arguments, returned as text
-- so that it can be read, tested and benchmarked on its own.  Its stages:
--   r         exlink.refresh_query (members => false): every cell (its figures as text, exact
--             distinct members, rows, its largest member's rows), cells keyed by their dimensions'
--             hashes under the types' equality (so parents and children match as GROUP BY
--             groups); MATERIALIZED, a fence so that no qual of an analyst querying a live view
--             is ever pushed down into the source scan (a filtered source would be a second,
--             overlapping grain, open to differencing);
--   cells     each cell with its parent;
--   released  the cells left after complementary suppression (exlink.suppress_cells) over the
--             release decision on each cell on its own (exlink.release_status: k, dominance),
--             every union of withheld cells passing the same decision;
-- then the released cells, each column cast back to its type.  No check of the policy here:
-- publish runs exlink.check_publishable first.  A materialized publication shows what
-- exlink.refresh released instead (exlink.released_query), which also guards change over time.
-- With a period (exlink.seal_periods), the cells of each period of periods form their own
-- lattice (their own totals, their own complementary suppression) and a first column, period,
-- says which; with results (the SQL of exlink.results_select), last columns exlink_results and
-- exlink_rows and exlink_top hold each released cell's results, computed from the same rows in
-- the same statement, its rows and its largest member's rows (for the withheld-inference
-- decision).
CREATE FUNCTION @extschema@.publish_query(
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false,
    period text DEFAULT NULL,
    periods text DEFAULT NULL,
    results text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kk integer;
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
BEGIN
    IF source IS NULL OR member_column IS NULL OR measures IS NULL OR rollup IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_query arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF k < 2 OR k > 1000 THEN
        RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
    END IF;
    kk := @extschema@.effective_min_group_size(k);
    RETURN pg_catalog.format($q$
WITH r AS MATERIALIZED (%1$s),
cells AS (
    SELECT c.exlink_period, c.cell_id, c.figures[%6$s] AS cell, p.figures[%6$s] AS parent,
           c.level, c.members, c.figures, c.results, c.responses, c.top
      FROM r AS c
      LEFT JOIN r AS p ON p.cell_id = c.parent_id),
released AS (
    SELECT c.exlink_period, pg_catalog.unnest(@extschema@.suppress_cells(
               pg_catalog.array_agg(c.cell), pg_catalog.array_agg(c.parent), pg_catalog.array_agg(c.members),
               pg_catalog.array_agg(@extschema@.release_status(c.members, %2$s, c.responses, c.top, NULL, %3$s) = 'ok'),
               %2$s, NULL::boolean[], pg_catalog.array_agg(c.responses), pg_catalog.array_agg(c.top), %3$s)) AS cell
      FROM cells AS c%7$s)
SELECT %8$s%4$s%10$s
  FROM cells AS r
 WHERE %9$s%5$s$q$,
        @extschema@.refresh_query(source, member_column, dimensions, measures, kk, rollup, results, period, periods, false),
        kk, pg_catalog.format('%L::float8', @extschema@.max_member_share()),
        @extschema@.typed_figures(source, dimensions, measures),
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND r.level = %s', nd) END,
        nd + 2,
        ' GROUP BY c.exlink_period',
        CASE WHEN period IS NULL THEN '' ELSE 'r.exlink_period AS period, ' END,
        CASE WHEN period IS NULL THEN 'r.cell IN (SELECT released.cell FROM released)'
             ELSE '(r.exlink_period, r.cell) IN (SELECT released.exlink_period, released.cell FROM released)' END,
        CASE WHEN results IS NULL THEN '' ELSE ', r.results AS exlink_results, r.responses AS exlink_rows, r.top AS exlink_top' END);
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_query(regclass, name, name[], name[], integer, boolean, text, text, text) IS
    'The SELECT of the cells exlink.publish would release now (k, dominance, complementary suppression), without running it or checking the policy; a live publication is a view of it. With a period expression and the periods to compute, each period''s cells are one lattice and the first column is the period; with the SQL of results (exlink.results_select), last columns exlink_results, exlink_rows and exlink_top.';
