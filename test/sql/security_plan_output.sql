-- Rule: no query tree, plan or LOG/DEBUG message about a live publication reaches a role that
-- cannot read its source (debug_print_*, client_min_messages = log or debug, trace_sort,
-- auto_explain-like output), checked where the output is made, not only at EXPLAIN.
-- The guard's hooks are installed when the library loads: with exlink in
-- shared_preload_libraries (required, docs/security.md), before any query.  Without it (make
-- installcheck on a server that does not preload exlink) a session plans its first query before
-- the library is loaded, so the rule cannot hold there and this file only says so (expected
-- output security_plan_output_1.out).
SELECT 'exlink' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) AS exlink_preloaded \gset
\if :exlink_preloaded
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET ROLE regress_analyst;
-- must fail: debug_print_plan would print the plan (estimates from the source's statistics)
SET client_min_messages = log;
SET debug_print_plan = on;
SELECT count(*) FROM published.cx_live;
SET client_min_messages = notice;
-- must fail: ... even when the LOG only reaches the server log
SELECT count(*) FROM published.cx_live;
RESET debug_print_plan;
-- must fail: debug_print_parse and debug_print_rewritten (the trees are printed before planning)
SET debug_print_parse = on;
SELECT count(*) FROM published.cx_live;
RESET debug_print_parse;
SET debug_print_rewritten = on;
SELECT count(*) FROM published.cx_live WHERE level = 2;
RESET debug_print_rewritten;
-- must fail: client_min_messages = log or debug sends trace_sort, auto_explain and log_*_stats
-- output (tuple counts per group) to the client
SET trace_sort = on;
SET client_min_messages = log;
SELECT count(*) FROM published.cx_live;
SET client_min_messages = debug1;
SELECT team, members FROM published.cx_live WHERE level = 2 ORDER BY team COLLATE "C";
RESET client_min_messages;
-- must fail: ... through a view of the analyst's own, an inlined SQL function, PL/pgSQL, a cursor
CREATE TEMP VIEW my_live AS SELECT * FROM published.cx_live;
CREATE FUNCTION pg_temp.live_rows() RETURNS SETOF published.cx_live LANGUAGE sql STABLE AS 'SELECT * FROM published.cx_live';
CREATE FUNCTION pg_temp.live_count() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM published.cx_live); END $$;
SET debug_print_plan = on;
SELECT count(*) FROM my_live;
SELECT count(*) FROM pg_temp.live_rows();
SELECT pg_temp.live_count();
BEGIN;
DECLARE c CURSOR FOR SELECT * FROM published.cx_live;
ROLLBACK;
CREATE TEMP TABLE live_copy AS SELECT * FROM published.cx_live;
RESET debug_print_plan;
-- must fail: a statement prepared while the channels were closed is refused once one opens
PREPARE live_q AS SELECT count(*) FROM published.cx_live;
EXECUTE live_q;
SET client_min_messages = log;
EXECUTE live_q;
RESET client_min_messages;
DEALLOCATE live_q;
-- must fail: opening the channel while the query runs (an InitPlan evaluated before the source is
-- sorted) shows none of the query's LOG messages (trace_sort would print a line per group)
CREATE FUNCTION pg_temp.open_log() RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_catalog.set_config('client_min_messages', 'log', false); RETURN true; END $$;
SELECT count(*) FROM published.cx_live WHERE (SELECT pg_temp.open_log());
SHOW client_min_messages;
RESET client_min_messages;
RESET trace_sort;
-- a materialized publication is not affected (its plan reads released cells only)
SET client_min_messages = log;
SET debug_print_plan = on;
SELECT count(*) FROM published.cx_cells;
RESET debug_print_plan;
RESET client_min_messages;
-- with every channel closed the live publication answers
SELECT count(*) FROM published.cx_live;
SELECT count(*) FROM my_live;
RESET ROLE;

-- Positive control: the custodian, who can read the source, gets the plan printed.
SET ROLE regress_custodian;
SET client_min_messages = log;
SET debug_print_plan = on;
SELECT count(*) FROM published.cx_live;
RESET debug_print_plan;
RESET client_min_messages;
RESET ROLE;

-- Rule: plan output at INFO, NOTICE or WARNING (which reach the client whatever
-- client_min_messages says) never reaches a role that cannot read the source either.  A
-- superuser loads auto_explain and sets it for the analyst's session, as docs/security.md's
-- guarantee 10 anticipates.  VERBOSITY sqlstate prints a message as its level and SQLSTATE only
-- (the plan text has timings).
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_level = info;
\set VERBOSITY sqlstate
SET ROLE regress_analyst;
-- must fail: auto_explain at INFO would send the plan of the live view (actual row counts of the
-- source's groups, suppressed ones included) to the analyst
SELECT count(*) FROM published.cx_live;
SELECT count(*) FROM my_live;
RESET ROLE;
SET auto_explain.log_level = notice;
SET ROLE regress_analyst;
-- must fail: ... at NOTICE
SELECT count(*) FROM published.cx_live;
RESET ROLE;
SET auto_explain.log_level = warning;
SET ROLE regress_analyst;
-- must fail: ... at WARNING
SELECT count(*) FROM published.cx_live;
-- a materialized publication's plan (released cells only) is printed
SELECT count(*) FROM published.cx_cells;
RESET ROLE;
SET auto_explain.log_level = info;
-- Positive control: the custodian, who can read the source, gets the live view's plan (INFO).
SET ROLE regress_custodian;
SELECT count(*) FROM published.cx_live;
RESET ROLE;
RESET auto_explain.log_level;
RESET auto_explain.log_analyze;
RESET auto_explain.log_min_duration;
\set VERBOSITY terse
\else
\echo 'skipped: exlink is not in shared_preload_libraries, which the plan-output guard requires'
\endif
