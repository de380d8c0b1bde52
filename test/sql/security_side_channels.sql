-- Rule: nothing about a suppressed cell leaks through leaky functions, errors, EXPLAIN,
-- planner statistics or view definitions.  As the analyst.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SET ROLE regress_analyst;
CREATE FUNCTION pg_temp.leak_imm(text, integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE COST 0.0000001
    AS $$ BEGIN RAISE NOTICE 'saw % with % members', $1, $2; RETURN true; END $$;
CREATE FUNCTION pg_temp.leak_vol(text) RETURNS boolean LANGUAGE plpgsql VOLATILE COST 0.0000001
    AS $$ BEGIN RAISE NOTICE 'saw %', $1; RETURN true; END $$;

-- must fail: leaky NOTICE functions in WHERE see released cells only (materialized and live)
SELECT count(*) FROM published.cx_cells WHERE pg_temp.leak_imm(coalesce(team, region, 'total'), members) AND level = 2;
SELECT count(*) FROM published.cx_live WHERE pg_temp.leak_vol(coalesce(team, region, 'total')) AND level = 2;
SELECT count(*) FROM published.stores WHERE pg_temp.leak_vol(store);

-- must fail: division-by-zero oracles never fire on a suppressed group (beta has 3 members, zeta 4)
SELECT count(*) FROM published.cx_cells WHERE 1 / (members - 3) > 0 AND 1 / (members - 4) > 0;
SELECT count(*) FROM published.cx_live WHERE 1 / (members - 3) > 0 AND 1 / (members - 4) > 0;
SELECT count(*) FROM published.cx_live WHERE 1 / (responses - 40) > 0;
SELECT count(*) FROM published.stores WHERE 1 / (members - 2) > 0;

-- must fail: 'all but one' filters on a live view are never pushed into the source scan (north
-- stays 15 members: filtering beta out of the rows would be a second grain, open to differencing)
SELECT region, members FROM published.cx_live WHERE level = 1 AND region = 'north' AND (team IS NULL OR team <> 'beta');
SELECT region, members FROM published.cx_live WHERE level = 1 AND region = 'north' AND coalesce(team, 'beta') <> 'alpha';

-- must fail: EXPLAIN of a materialized publication shows only its own (released) rows
EXPLAIN (COSTS OFF) SELECT * FROM published.cx_cells WHERE team = 'beta';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM published.cx_cells;
-- must fail: EXPLAIN and EXPLAIN ANALYZE of a live publication are refused (they would show the source)
EXPLAIN (COSTS OFF) SELECT * FROM published.cx_live;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM published.cx_live WHERE team = 'alpha';
-- must fail: ... also through a view of the analyst's own, or inside a function
CREATE TEMP VIEW my_live AS SELECT * FROM published.cx_live;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM my_live;
DO $$ BEGIN EXECUTE 'EXPLAIN ANALYZE SELECT count(*) FROM published.cx_live'; END $$;
-- must fail: ... also through an inlined SQL function (the planner expands its body only after
-- the query-tree check: the plan itself is checked before it is explained)
CREATE FUNCTION pg_temp.live_rows() RETURNS SETOF published.cx_live LANGUAGE sql STABLE AS 'SELECT * FROM published.cx_live';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM pg_temp.live_rows();
EXPLAIN (COSTS OFF) SELECT * FROM pg_temp.live_rows() WHERE team = 'alpha';
EXPLAIN (COSTS OFF) CREATE TEMP TABLE live_copy AS SELECT * FROM pg_temp.live_rows();
EXPLAIN (COSTS OFF) SELECT * FROM published.cx_cells c WHERE EXISTS (SELECT 1 FROM pg_temp.live_rows() l WHERE l.cell = c.cell);
PREPARE live_f AS SELECT * FROM pg_temp.live_rows();
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE live_f;
DEALLOCATE live_f;
-- a function that is not inlined (VOLATILE) shows only its own, released, row count
CREATE FUNCTION pg_temp.live_rows_vol() RETURNS SETOF published.cx_live LANGUAGE sql VOLATILE AS 'SELECT * FROM published.cx_live';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM pg_temp.live_rows_vol();
-- and a PL/pgSQL function's queries print no plan: allowed, the plan shows its result only
CREATE FUNCTION pg_temp.live_count() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM published.cx_live); END $$;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT pg_temp.live_count();
-- an error inside an EXPLAIN leaves no state behind
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 / 0;
SELECT count(*) AS live_cells_after_error FROM published.cx_live;
PREPARE live_q AS SELECT * FROM published.cx_live;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE live_q;
EXPLAIN (COSTS OFF) EXECUTE live_q;
DEALLOCATE live_q;
PREPARE cells_q AS SELECT count(*) FROM published.cx_cells;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE cells_q;
DEALLOCATE cells_q;

-- must fail: pg_stats shows no column of the source, and only released values of publications
SELECT tablename, count(*) AS columns_with_stats FROM pg_stats
 WHERE schemaname IN ('linked', 'published') GROUP BY tablename ORDER BY tablename COLLATE "C";
SELECT count(*) AS small_team_in_stats FROM pg_stats
 WHERE schemaname IN ('linked', 'published')
   AND (most_common_vals::text ~ '(beta|zeta|solo|s2)' OR histogram_bounds::text ~ '(beta|zeta|solo|s2)');

-- must fail: reading the source or the registry directly
SELECT count(*) FROM linked.cx;
SELECT count(*) FROM exlink.publications;

-- pg_get_viewdef shows the query (names and the baked k), never data; a snapshot is a table of
-- released cells, with no definition to read
SELECT pg_get_viewdef('published.cx_live') ~ '(beta|zeta|solo)' AS data_in_definition,
       pg_get_viewdef('published.cx_cells') IS NULL AS snapshot_has_no_definition,
       pg_get_viewdef('published.cx_live') ~ 'moments\(src.exlink_vals, src.exlink_member, 5\)' AS live_k_is_baked;
-- must fail: the released cells and the change ledger behind materialized publications
SELECT count(*) FROM exlink.released_cells;
SELECT count(*) FROM exlink.release_ledger;
SELECT count(*) FROM exlink.refresh_status;
RESET ROLE;

-- The custodian, who may read the source, may EXPLAIN the live view.
SET ROLE regress_custodian;
DO $$ BEGIN EXECUTE 'EXPLAIN ANALYZE SELECT count(*) FROM published.cx_live'; RAISE NOTICE 'custodian may explain'; END $$;
RESET ROLE;
