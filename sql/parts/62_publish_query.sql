-- The publication query builder: the SELECT of the cells publish would release now (a live
-- publication is a security_barrier view of it), built from the same arguments, returned as text
-- so that it can be read, tested and benchmarked on its own.  Its stages:
--   r         exlink.refresh_query: every cell (its figures as text, exact distinct members,
--             rows) and every member of every cell (rows), cells keyed by their dimensions'
--             hashes under the types' equality (so parents and children match as GROUP BY
--             groups); MATERIALIZED, a fence so that no qual of an analyst querying a live view
--             is ever pushed down into the source scan (a filtered source would be a second,
--             overlapping grain, open to differencing);
--   cells     each cell with its largest member share (dominance);
--   released  the cells left after complementary suppression (exlink.suppress_cells) over the
--             release decision on each cell on its own (exlink.release_status: k, dominance),
--             every union of withheld cells passing the same decision;
-- then the released cells, each column cast back to its type.  No check of the policy here:
-- publish runs exlink.check_publishable first.  A materialized publication shows what
-- exlink.refresh released instead (exlink.released_query), which also guards change over time.
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
    RETURN pg_catalog.format($q$
WITH r AS MATERIALIZED (%1$s),
top AS (
    SELECT m.cell_id, pg_catalog.max(m.responses) AS top FROM r AS m WHERE m.per_member GROUP BY m.cell_id),
cells AS (
    SELECT c.cell_id, c.figures[%6$s] AS cell, p.figures[%6$s] AS parent,
           c.level, c.members, c.figures, c.responses, top.top, top.top::float8 / NULLIF(c.responses, 0) AS share
      FROM r AS c
      LEFT JOIN r AS p ON NOT p.per_member AND p.cell_id = c.parent_id
      LEFT JOIN top ON top.cell_id = c.cell_id
     WHERE NOT c.per_member),
released AS (
    SELECT pg_catalog.unnest(@extschema@.suppress_cells(
               pg_catalog.array_agg(c.cell), pg_catalog.array_agg(c.parent), pg_catalog.array_agg(c.members),
               pg_catalog.array_agg(@extschema@.release_status(c.members, %2$s, c.share, NULL, %3$s) = 'ok'),
               %2$s, NULL::boolean[], pg_catalog.array_agg(c.responses), pg_catalog.array_agg(c.top), %3$s)) AS cell
      FROM cells AS c)
SELECT %4$s
  FROM cells AS r
 WHERE r.cell IN (SELECT released.cell FROM released)%5$s$q$,
        @extschema@.refresh_query(source, member_column, dimensions, measures, kk, rollup),
        kk, pg_catalog.format('%L::float8', @extschema@.max_member_share()),
        @extschema@.typed_figures(source, dimensions, measures),
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND r.level = %s', nd) END,
        nd + 2);
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_query(regclass, name, name[], name[], integer, boolean) IS
    'The SELECT of the cells exlink.publish would release now (k, dominance, complementary suppression), without running it or checking the policy; a live publication is a view of it.';
