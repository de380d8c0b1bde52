-- exlink.publish / unpublish / the registry: cells, roll-up, NULL dimension values, concurrent
-- refresh, the k option, live views, argument validation.  As the custodian.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.released_cells, exlink.release_ledger TO regress_custodian;
GRANT SELECT ON exlink.refresh_status TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.refresh(regclass) TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.unpublish(regclass) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA pubt;
-- Three regions, NULL region values in the data (a real group, distinct from the subtotal rows).
CREATE TABLE pubt.src (region text, team text, employee text, x float8, y numeric, z int);
INSERT INTO pubt.src
SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE 'r' || (i % 2) END, 't' || (i % 4), 'e' || (i % 24),
       i % 7, (i % 5)::numeric / 2, i % 3
  FROM generate_series(1, 480) i;

SELECT exlink.publish('pubt.cells', 'pubt.src', 'employee', '{region,team}', '{x,y,z}', rollup => true);
SELECT region, team, level, cell, responses, members, round(mean_x::numeric, 6) AS mean_x,
       round(mean_y::numeric, 6) AS mean_y, exlink.n(moments) AS n
  FROM pubt.cells ORDER BY level, cell COLLATE "C";
-- Released figures equal the raw ones.
SELECT bool_and(c.responses = r.responses AND c.members = r.members AND abs(c.mean_x - r.mean_x) < 1e-12
                AND abs(c.mean_y - r.mean_y) < 1e-12) AS cells_match_raw
  FROM pubt.cells c
  JOIN (SELECT region, team, count(*) AS responses, count(DISTINCT employee) AS members, avg(x) AS mean_x, avg(y)::float8 AS mean_y
          FROM pubt.src GROUP BY region, team) r
    ON c.level = 2 AND c.region IS NOT DISTINCT FROM r.region AND c.team = r.team;
-- Merged cells give the moments of the union (the grand total equals the merge of the regions).
SELECT exlink.n(exlink.merge(moments)) AS n_regions,
       (SELECT exlink.n(moments) FROM pubt.cells WHERE level = 0) AS n_total
  FROM pubt.cells WHERE level = 1;
-- The unique index on cell makes concurrent refresh work, NULL dimension values included.  A
-- REFRESH goes through exlink.refresh: r1/t1 lost 4 members and is below k now.  Its sibling t3
-- is unchanged since it was shown (public figures protect nothing), so r1 is hidden instead, with
-- the NULL region as r1's complement and, under it, the new team t9 (hidden cells stay hidden in
-- the publication); the grand total changed by 10 members and is released.
SELECT indexdef FROM pg_indexes WHERE schemaname = 'pubt' AND tablename = 'cells';
INSERT INTO pubt.src SELECT NULL, 't9', 'n' || i, 1, 1, 1 FROM generate_series(1, 6) i;
DELETE FROM pubt.src WHERE team = 't1' AND region = 'r1' AND employee IN ('e1', 'e5', 'e9', 'e13');
REFRESH MATERIALIZED VIEW CONCURRENTLY pubt.cells;
SELECT region, team, level, responses, members FROM pubt.cells ORDER BY level, cell COLLATE "C";

-- Ownership, privileges, comment.
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl, obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c WHERE c.relnamespace = 'pubt'::regnamespace AND c.relkind IN ('r', 'm', 'v') AND c.relname <> 'src' ORDER BY c.relname COLLATE "C";

-- No measures: counts only (other rows than pubt.cells' under listwise deletion: forced).
SELECT exlink.publish('pubt.counts', 'pubt.src', 'employee', '{region,team}', '{}', rollup => true, force => true);
SELECT * FROM pubt.counts WHERE level < 2 ORDER BY cell COLLATE "C";
-- A live view: the same grain computed at query time, so it differs from the materialized one
-- by every cell whose change is held back there.
SELECT exlink.publish('pubt.live', 'pubt.src', 'employee', '{region,team}', '{x,y,z}', rollup => true, live => true, force => true);
SELECT c.relkind, c.reloptions FROM pg_class c WHERE c.oid = 'pubt.live'::regclass;
SELECT count(*) AS differing_cells FROM (
  (SELECT cell, responses, members, moments::text FROM pubt.live EXCEPT SELECT cell, responses, members, moments::text FROM pubt.cells)
  UNION ALL
  (SELECT cell, responses, members, moments::text FROM pubt.cells EXCEPT SELECT cell, responses, members, moments::text FROM pubt.live)) d;

-- Without roll-up: only the finest grain (a different grain of the same source: forced).
-- k raised to 7: no team has more than 6 members, so nothing is released.
SELECT exlink.publish('pubt.cells_k7', 'pubt.src', 'employee', '{region,team}', '{x}', k => 7,
                      grant_to => '{regress_analyst}', force => true);
SELECT region, team, level, members FROM pubt.cells_k7 ORDER BY cell COLLATE "C";
SELECT c.relname, c.relacl FROM pg_class c WHERE c.oid = 'pubt.cells_k7'::regclass;
-- The registry.
SELECT object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced,
       published_by, published_at <= now() AS when_ok
  FROM exlink.publications ORDER BY object::text COLLATE "C";

-- Argument validation.
\set VERBOSITY terse
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{}', '{x}');
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{nope}', '{x}');
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{region}', '{team}');
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{region,region}', '{x}');
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{region}', '{x}', k => 1001);
SELECT exlink.publish('pubt.bad', 'pubt.src', 'employee', '{region}', '{x}', grant_to => '{no_such_role}');
SELECT exlink.publish('pubt.bad', 'pubt.src', NULL, '{region}', '{x}');
CREATE SEQUENCE pubt.seq;
SELECT exlink.publish('pubt.bad', 'pubt.seq', 'last_value', '{is_called}', '{}');
SELECT exlink.publish('pubt.cells', 'pubt.src', 'employee', '{region,team}', '{x}', rollup => true, force => true);
SELECT exlink.unpublish('pubt.src');
\set VERBOSITY default

-- unpublish drops the object and the registry row.
SELECT exlink.unpublish(object) FROM exlink.publications WHERE object::text LIKE 'pubt.%' ORDER BY object::text COLLATE "C";
SELECT count(*) AS left_in_registry FROM exlink.publications;
SELECT count(*) AS left_in_schema FROM pg_class WHERE relnamespace = 'pubt'::regnamespace AND relkind IN ('r', 'm', 'v') AND relname <> 'src';
DROP SCHEMA pubt CASCADE;
RESET ROLE;
REVOKE ALL ON exlink.publications, exlink.released_cells, exlink.release_ledger, exlink.refresh_status FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.refresh(regclass) FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                       exlink.unpublish(regclass) FROM regress_custodian;
REVOKE CREATE ON DATABASE :"DBNAME" FROM regress_custodian;
