-- The publication query builder: the SELECT that publish turns into a (materialized) view, built
-- from the same arguments, returned as text so that it can be read, tested and benchmarked on
-- its own.  Its stages, one CTE each:
--   src       the rows: member non-NULL and non-empty, every measure finite (listwise deletion);
--   cells     one row per cell (GROUPING SETS or ROLLUP), with the facts the release policy needs
--             (responses, exact distinct members) and the guarded moments of the measures;
--   keyed     each cell's key and its parent's key, and the release policy's decision on the cell
--             on its own (exlink.release_status); MATERIALIZED, a fence so that no qual of an
--             analyst querying a live view is ever pushed down into the source scan (a filtered
--             source would be a second, overlapping grain, open to differencing);
--   released  the keys left after complementary suppression (exlink.suppress_cells);
-- then the released cells.  Every identifier through %I; k is an integer.  No check of the
-- policy here: publish runs exlink.check_publishable first.
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
