-- Fixture for the security_* attack files (dropped by security_cleanup).  As the custodian:
-- a private linked source and guarded publications that the analyst may read.
--   region north: team alpha (12 employees) and beta (3 employees: suppressed; alpha must follow);
--   region south: gamma 6, delta 7, eps 5 (= k), zeta 4 (= k - 1), solo (one agent, 40 responses);
--   region east:  kplus 6 (= k + 1), alone under its region;
--   stores: s2 (2 employees), s7, s9;  a source with hostile identifiers.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.released_cells, exlink.release_ledger TO regress_custodian;
GRANT SELECT ON exlink.refresh_status TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.refresh(regclass) TO regress_custodian;
GRANT INSERT, UPDATE, DELETE ON exlink.protected_columns TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.unpublish(regclass), exlink.audit_view(regclass) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA linked;
CREATE SCHEMA published;
GRANT USAGE ON SCHEMA published TO regress_analyst;
CREATE TABLE linked.cx (region text, team text, store text, employee text, csat float8, engagement float8, age int);
INSERT INTO linked.cx
SELECT r, t, 's' || (e % 3), t || '-' || e, (e * 7 + j) % 10, (e * 3 + j * 5) % 7 + 1, 20 + e
  FROM (VALUES ('north', 'alpha', 12), ('north', 'beta', 3), ('south', 'gamma', 6), ('south', 'delta', 7),
               ('south', 'eps', 5), ('south', 'zeta', 4), ('east', 'kplus', 6)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS j;
INSERT INTO linked.cx SELECT 'south', 'solo', 's1', 'solo-1', j % 10, j % 7 + 1, 40 FROM generate_series(1, 40) j;
-- Rows that never count: no member, an empty member, a missing measure.
INSERT INTO linked.cx VALUES ('north', 'beta', 's1', NULL, 1, 1, 30), ('north', 'beta', 's1', '', 1, 1, 30),
                             ('north', 'beta', 's1', 'beta-1', NULL, 1, 30), ('north', 'beta', 's1', 'beta-2', 'NaN', 1, 30);
CREATE TABLE linked.stores (store text, employee text, csat float8);
INSERT INTO linked.stores
SELECT s, s || '-' || e, (e * 3 + j) % 10
  FROM (VALUES ('s2', 2), ('s7', 7), ('s9', 9)) AS st(s, size), generate_series(1, size) AS e, generate_series(1, 4) AS j;
-- An injected "DROP TABLE y" would find linked.y on the custodian's search_path.
SET search_path = linked, public;
CREATE TABLE y (survives int);
CREATE TABLE linked."x""; DROP TABLE y; --" ("x""; DROP TABLE y; --" text, "who'); DROP TABLE y; --" text, "m""; DROP TABLE y; --" float8);
INSERT INTO linked."x""; DROP TABLE y; --" SELECT 'g' || (i % 2), 'w' || (i % 12), i FROM generate_series(1, 48) i;

SELECT exlink.publish('published.cx_cells', 'linked.cx', 'employee', '{region,team}', '{csat,engagement}',
                      grant_to => '{regress_analyst}', rollup => true);
-- The live twin of the same grain is an overlap (live minus materialized = the changes since
-- the last refresh): forced here so the suite can attack both kinds.
SELECT exlink.publish('published.cx_live', 'linked.cx', 'employee', '{region,team}', '{csat,engagement}',
                      grant_to => '{regress_analyst}', rollup => true, live => true, force => true);
SELECT exlink.publish('published.stores', 'linked.stores', 'employee', '{store}', '{csat}', grant_to => '{regress_analyst}');
SELECT exlink.publish('published."p""; DROP TABLE y; --"', 'linked."x""; DROP TABLE y; --"', 'who''); DROP TABLE y; --',
                      '{"x\"; DROP TABLE y; --"}', '{"m\"; DROP TABLE y; --"}', grant_to => '{regress_analyst}');
SELECT count(*) AS y_survives FROM y;
ANALYZE linked.cx, linked.stores, published.cx_cells, published.stores;
RESET search_path;
RESET ROLE;

-- What the custodian sees (the truth the attacks are checked against).
SELECT region, team, count(DISTINCT employee) AS members, count(*) AS rows_
  FROM linked.cx WHERE employee <> '' AND csat < 'NaN' GROUP BY region, team ORDER BY region COLLATE "C", team COLLATE "C";
SELECT object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced, published_by
  FROM exlink.publications ORDER BY object::text COLLATE "C";
