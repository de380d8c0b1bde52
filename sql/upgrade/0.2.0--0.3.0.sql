-- exlink upgrade 0.2.0 -> 0.3.0.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Every change to an SQL object in sql/parts/ since 0.2.0 goes here, so that
-- ALTER EXTENSION exlink UPDATE gives the same catalog as a fresh 0.3.0 install
-- (test/shell/upgrade.sh compares them object by object, from 0.1.0 and from 0.2.0).
-- A line "-- include: sql/parts/NAME.sql" is replaced by that part when the Makefile
-- assembles sql/exlink--0.2.0--0.3.0.sql ("or-replace": its CREATE FUNCTION become
-- CREATE OR REPLACE FUNCTION, for parts that change functions 0.2.0 had).  When 0.3.0 is
-- released, the assembled script is committed and frozen, as sql/exlink--0.1.0--0.2.0.sql is.
\echo Use "ALTER EXTENSION exlink UPDATE TO '0.3.0'" to load this file. \quit

-- ---- issue 19: BI (status codes, booleans, integer counts in results tables) ----
-- results_query moves to 69_bi.sql (new tables get the 0.3.0 columns); results tables
-- published by 0.2.0 keep their definitions over driver_results and correlation_results.
DROP FUNCTION @extschema@.results_query(text, regclass, text, name, name[]);
-- include: sql/parts/69_bi.sql
-- publish comments the columns of what it publishes (exlink.comment_columns); so do
-- publish_results (67_results.sql, included below) and publish_coverage.
-- include: sql/parts/63_publish.sql functions
-- The columns of existing publications get their comments now (results tables published by
-- 0.2.0 keep their 0.2.0 columns, which the comments of 0.3.0 would misdescribe).
SELECT @extschema@.comment_columns(p.object, p.object, 'cells')
  FROM @extschema@.publications p
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);

-- ---- issue 22: one release point per figure, fail-closed ----
-- release_status takes the change's share and the published variables; suppress_cells the
-- cells' rows and largest members (dominance of complements): new arguments, so dropped first.
DROP FUNCTION @extschema@.release_status(bigint, integer, float8, bigint, float8);
DROP FUNCTION @extschema@.suppress_cells(text[], text[], bigint[], boolean[], integer, boolean[]);
-- include: sql/parts/61_suppression.sql or-replace
-- include: sql/parts/62_publish_query.sql or-replace
-- include: sql/parts/65_refresh.sql functions
-- the withheld-inference bound over all results tables of a cell (results_fourth_order,
-- withhold_inference, asked by release_cells)
-- include: sql/parts/67_results.sql functions
