-- What a BI tool finds without SQL, checked generically over exlink.catalog as the analyst, so
-- that a new kind of publication or results table is covered when the catalog lists it:
-- counts are integer and figures float8 (no bigint or numeric column: node-postgres reads them as
-- strings), every column has a comment.  One object of every kind is made here: a period
-- publication with roll-up, its drivers, correlations, driver map and alerts tables, a window
-- view and its drivers and correlations views, a coverage view, a snapshot with a results
-- table, and a live publication.
\set SHOW_CONTEXT never
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.sealed_periods, exlink.released_cells,
                                        exlink.release_ledger TO regress_custodian;
GRANT SELECT, INSERT, DELETE ON exlink.result_tables, exlink.alert_tables TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name),
                          exlink.publish_window(text, regclass, text, name[]),
                          exlink.publish_window_results(text, regclass, name, name[], text, name[]),
                          exlink.publish_coverage(text, regclass, regclass, name[]),
                          exlink.publish_alerts(text, regclass, name, name[], name[], float8),
                          exlink.seal(regclass, text), exlink.refresh(regclass), exlink.unpublish(regclass) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA bic;
GRANT USAGE ON SCHEMA bic TO regress_analyst;
-- Three teams of 16, 24 and 6 employees, three rows each per month, January to March 2025.
CREATE TABLE bic.src (team text, employee text, at date, cx float8, ex float8, tenure float8);
INSERT INTO bic.src
SELECT t, t || '-' || e, make_date(2025, m, 1 + j * 9),
       3 + sin(e * 1.7 + m) + 0.3 * ((e * 7 + j) % 5), 3 + sin(e * 2.3) + 0.2 * j + 0.1 * m, (e % 9) + 0.5 * (j % 2)
  FROM (VALUES ('alpha', 16), ('beta', 24), ('gamma', 6)) AS teams(t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS m, generate_series(0, 2) AS j;
CREATE TABLE bic.units AS SELECT DISTINCT team FROM bic.src UNION SELECT 'delta';
CREATE TABLE bic.snap_src AS SELECT * FROM bic.src;
CREATE TABLE bic.live_src AS SELECT * FROM bic.src;
CREATE TABLE bic.private_src AS SELECT * FROM bic.src;
SELECT exlink.publish('bic.monthly', 'bic.src', 'employee', '{team}', '{cx,ex,tenure}', rollup => true,
                      grant_to => '{regress_analyst}', period => 'date_trunc(''month'', at::timestamp)::date') AS period_publication;
SELECT exlink.publish_results('bic.monthly_drivers', 'bic.monthly', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}'),
       exlink.publish_results('bic.monthly_pairs', 'bic.monthly', 'cx', '{ex,tenure}', 'correlations', grant_to => '{regress_analyst}'),
       exlink.publish_results('bic.monthly_map', 'bic.monthly', 'cx', '{ex,tenure}', 'driver_map', grant_to => '{regress_analyst}'),
       exlink.publish_results('bic.monthly_alerts', 'bic.monthly', 'cx', '{ex}', 'alerts', grant_to => '{regress_analyst}');
SELECT exlink.seal('bic.monthly', '2025-01-01') AS jan, exlink.seal('bic.monthly', '2025-02-01') AS feb;
SELECT exlink.publish_window('bic.last2', 'bic.monthly', 'last 2', grant_to => '{regress_analyst}');
SELECT exlink.publish_window_results('bic.last2_drivers', 'bic.last2', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}'),
       exlink.publish_window_results('bic.last2_pairs', 'bic.last2', 'cx', '{ex,tenure}', 'correlations', grant_to => '{regress_analyst}'),
       exlink.publish_coverage('bic.monthly_coverage', 'bic.monthly', 'bic.units', grant_to => '{regress_analyst}');
SELECT exlink.publish('bic.snap', 'bic.snap_src', 'employee', '{team}', '{cx,ex,tenure}', rollup => true, grant_to => '{regress_analyst}') AS snapshot,
       exlink.publish('bic.live', 'bic.live_src', 'employee', '{team}', '{cx,ex}', live => true, grant_to => '{regress_analyst}') AS live,
       exlink.publish('bic.private', 'bic.private_src', 'employee', '{team}', '{cx}') AS not_granted;
-- positive control: the custodian's schema browser lists the publication it did not grant
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'bic' AND table_name = 'private';
RESET ROLE;
-- (a snapshot's results table releases it again: the superuser's opt-in, docs/security.md)
SET exlink.allow_unsafe_refresh = on;
SET ROLE regress_custodian;
SELECT exlink.publish_results('bic.snap_drivers', 'bic.snap', 'cx', '{ex,tenure}', grant_to => '{regress_analyst}') AS snapshot_results;
RESET ROLE;
RESET exlink.allow_unsafe_refresh;

SET ROLE regress_analyst;
-- Every kind is listed (the positive control of the generic checks below).
SELECT object, kind, statistic, publication FROM exlink.catalog
 WHERE object::text LIKE 'bic.%' ORDER BY kind COLLATE "C", object::text COLLATE "C";
-- Types: no column of anything the catalog lists is bigint or numeric (counts are integer,
-- figures float8); the types found, per kind.
SELECT c.object, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM exlink.catalog c JOIN pg_attribute a ON a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped
 WHERE a.atttypid IN ('bigint'::regtype, 'numeric'::regtype, 'smallint'::regtype, 'real'::regtype);
SELECT c.kind, string_agg(DISTINCT format_type(a.atttypid, a.atttypmod), ', ' ORDER BY format_type(a.atttypid, a.atttypmod)) AS types
  FROM exlink.catalog c JOIN pg_attribute a ON a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.object::text LIKE 'bic.%' GROUP BY c.kind ORDER BY 1;
-- the counts, by name, in every object
SELECT a.attname, string_agg(DISTINCT format_type(a.atttypid, a.atttypmod), ', ') AS types, count(*) AS objects
  FROM exlink.catalog c JOIN pg_attribute a ON a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.object::text LIKE 'bic.%'
   AND a.attname IN ('level', 'responses', 'members', 'members_at_least', 'periods', 'clusters', 'rank', 'ordinal')
 GROUP BY a.attname ORDER BY 1;
-- Comments: no column of anything the catalog lists is without one (pg_description is public).
SELECT c.object, a.attname
  FROM exlink.catalog c JOIN pg_attribute a ON a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped
 WHERE col_description(a.attrelid, a.attnum) IS NULL;
SELECT count(*) AS columns_checked, count(DISTINCT c.object) AS objects_checked
  FROM exlink.catalog c JOIN pg_attribute a ON a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.object::text LIKE 'bic.%' AND col_description(a.attrelid, a.attnum) IS NOT NULL;
-- Discoverable: information_schema lists every object the catalog lists (a snapshot and its
-- results table are tables, not materialized views, which it cannot list), with all its columns
SELECT c.object, c.kind FROM exlink.catalog c JOIN pg_class r ON r.oid = c.object
 WHERE NOT EXISTS (SELECT 1 FROM information_schema.tables t
                    WHERE t.table_schema = r.relnamespace::regnamespace::name AND t.table_name = r.relname)
    OR (SELECT count(*) FROM information_schema.columns col
         WHERE col.table_schema = r.relnamespace::regnamespace::name AND col.table_name = r.relname)
       <> (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.object AND a.attnum > 0 AND NOT a.attisdropped);
SELECT t.table_name, t.table_type, count(col.column_name) AS columns,
       (SELECT c.kind FROM exlink.catalog c WHERE c.object = format('%I.%I', t.table_schema, t.table_name)::regclass) AS catalog_kind
  FROM information_schema.tables t
  LEFT JOIN information_schema.columns col ON col.table_schema = t.table_schema AND col.table_name = t.table_name
 WHERE t.table_schema = 'bic' GROUP BY t.table_schema, t.table_name, t.table_type ORDER BY t.table_name COLLATE "C";
-- must fail: nothing the analyst may not read is listed (sources, partitions, the publication
-- not granted, the org chart)
SELECT t.table_name FROM information_schema.tables t
 WHERE t.table_schema = 'bic' AND NOT has_table_privilege(format('%I.%I', t.table_schema, t.table_name), 'SELECT');
SELECT count(*) AS columns_of_unreadable FROM information_schema.columns col
 WHERE col.table_schema = 'bic' AND col.table_name IN ('private', 'src', 'snap_src', 'units', 'monthly_20250101');
-- what a window view's columns say
SELECT a.attname, col_description(a.attrelid, a.attnum)
  FROM pg_attribute a WHERE a.attrelid = 'bic.last2'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- node-postgres gets numbers: integer counts arrive as such (test/shell/clients.sh runs it)
SELECT pg_typeof(responses) AS responses, pg_typeof(members) AS members FROM bic.monthly LIMIT 1;
SELECT pg_typeof(periods) AS periods, pg_typeof(responses) AS responses, pg_typeof(members_at_least) AS members_at_least
  FROM bic.last2 LIMIT 1;
RESET ROLE;

-- Beyond the integer range: a count is refused with 22003, not published as bigint.
SELECT exlink.cell_count(2147483647) AS largest, exlink.cell_count(0) AS zero;
\set VERBOSITY default
-- must fail: a count of 2^31 rows (22003)
SELECT exlink.cell_count(2147483648);
\set VERBOSITY terse

SET ROLE regress_custodian;
DROP VIEW bic.last2_drivers, bic.last2_pairs, bic.monthly_coverage;
DROP VIEW bic.last2;
SELECT exlink.unpublish('bic.monthly'), exlink.unpublish('bic.snap'), exlink.unpublish('bic.live'), exlink.unpublish('bic.private');
RESET ROLE;
DROP SCHEMA bic CASCADE;
