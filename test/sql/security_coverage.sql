-- Rule: a coverage view (exlink.publish_coverage) marks a unit 'suppressed' only when the unit's
-- existence is public (listed by the custodian), crossed with dimension values the publication
-- already shows, and with no count: a listed unit without rows and one with fewer than k members
-- look the same, so it tells the analyst nothing the publication and the list do not.  Each
-- attack is run as regress_analyst, with the custodian's positive control.
\set SHOW_CONTEXT never
GRANT EXECUTE ON FUNCTION exlink.publish_coverage(text, regclass, regclass, name[]) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA covx;
GRANT USAGE ON SCHEMA covx TO regress_analyst;
-- north: alpha 12, beta 3 (below k; gamma 7 is its complement); south: delta 9, eps 14, and
-- nu 6 (in the data, not in the list).  Two waves; eps has no row in wave 2.
CREATE TABLE covx.src (region text, team text, wave integer, employee text, cx float8);
INSERT INTO covx.src
SELECT r, t, w, t || '-' || e, (e * 7 + w) % 10
  FROM (VALUES ('north', 'alpha', 12), ('north', 'beta', 3), ('north', 'gamma', 7),
               ('south', 'delta', 9), ('south', 'eps', 14), ('south', 'nu', 6)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 2) AS w
 WHERE NOT (t = 'eps' AND w = 2);
-- The org chart: the units whose existence the custodian declares public (omega: a listed team
-- with no rows at all).
CREATE TABLE covx.org (region text, team text, manager text);
INSERT INTO covx.org VALUES ('north', 'alpha', 'A'), ('north', 'beta', 'B'), ('north', 'gamma', 'C'),
                            ('south', 'delta', 'D'), ('south', 'eps', 'E'), ('south', 'omega', 'O');
SELECT exlink.publish('covx.cells', 'covx.src', 'employee', '{region,team,wave}', '{cx}', rollup => true,
                      grant_to => '{regress_analyst}');
SELECT exlink.publish_coverage('covx.coverage', 'covx.cells', 'covx.org', grant_to => '{regress_analyst}');
RESET ROLE;

-- The analyst's view: every listed team (and nu, shown though unlisted), per level and wave.
SET ROLE regress_analyst;
SELECT region, team, wave, level, status, shown, members, cell IS NOT NULL AS has_cell
  FROM covx.coverage ORDER BY level, region, team, wave;
-- must fail: a suppressed unit carries no figure (no members, no cell to join results to)
SELECT count(*) AS suppressed_rows_with_a_count FROM covx.coverage WHERE status = 'suppressed' AND (members IS NOT NULL OR cell IS NOT NULL);
-- must fail: beta (3 members), omega (no rows) and eps in wave 2 (no rows) cannot be told apart
SELECT team, wave, level, status, members FROM covx.coverage
 WHERE (team IN ('beta', 'omega') AND level = 2) OR (team = 'eps' AND wave = 2) ORDER BY team;
-- must fail: the shown rows are exactly the publication's cells (nothing else is marked ok)
SELECT (SELECT count(*) FROM covx.coverage WHERE shown) AS shown_rows, (SELECT count(*) FROM covx.cells) AS cells,
       (SELECT count(*) FROM covx.coverage v JOIN covx.cells c USING (cell) WHERE v.members = c.members AND v.level = c.level) AS matching;
-- must fail: the list itself stays the custodian's (the view carries its units, not the table)
SELECT count(*) FROM covx.org;
SELECT count(*) FROM covx.src;
-- must fail: the analyst cannot publish a coverage view
SELECT exlink.publish_coverage('covx.mine', 'covx.cells', 'covx.org');
RESET ROLE;

-- Positive control: the custodian sees what the coverage view does not tell: beta has 3 members,
-- omega none, eps none in wave 2.
SET ROLE regress_custodian;
SELECT o.team, count(DISTINCT s.employee) FILTER (WHERE s.wave = 1) AS wave1, count(DISTINCT s.employee) FILTER (WHERE s.wave = 2) AS wave2
  FROM covx.org o LEFT JOIN covx.src s USING (region, team) WHERE o.team IN ('beta', 'omega', 'eps') GROUP BY o.team ORDER BY 1;
-- The coverage view reads only the publication: the audit finds it guarded, and a later change
-- of the list table does not change it.
SELECT * FROM exlink.audit_view('covx.coverage');
DELETE FROM covx.org WHERE team = 'omega';
SELECT count(*) AS omega_rows FROM covx.coverage WHERE team = 'omega';

\set VERBOSITY sqlstate
-- must fail: the list is the publication's source (42501: it would tell which cells have rows)
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', 'covx.src');
-- must fail: a grantee who cannot read the publication (42501)
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', 'covx.org', grant_to => '{regress_hr_owner}');
-- must fail: no column named as a dimension (22023), an empty list (22023), not a publication (22023), NULL (22023)
CREATE TABLE covx.other (manager text);
INSERT INTO covx.other VALUES ('A');
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', 'covx.other');
CREATE TABLE covx.none (team text);
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', 'covx.none');
SELECT exlink.publish_coverage('covx.bad', 'covx.src', 'covx.org');
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', NULL);
\set VERBOSITY default
SELECT to_regclass('covx.bad') AS nothing_created;
RESET ROLE;

-- must fail: another role's publication (42501)
GRANT USAGE ON SCHEMA covx TO regress_hr_owner;
GRANT EXECUTE ON FUNCTION exlink.publish_coverage(text, regclass, regclass, name[]) TO regress_hr_owner;
GRANT SELECT ON covx.org TO regress_hr_owner;
SET ROLE regress_hr_owner;
\set VERBOSITY sqlstate
SELECT exlink.publish_coverage('covx.bad', 'covx.cells', 'covx.org');
\set VERBOSITY default
RESET ROLE;
REVOKE EXECUTE ON FUNCTION exlink.publish_coverage(text, regclass, regclass, name[]) FROM regress_hr_owner, regress_custodian;
REVOKE USAGE ON SCHEMA covx FROM regress_hr_owner;

-- Discoverable: exlink.catalog lists, with their settings, the publications and results tables
-- the role may read, and nothing else; every column is commented (pg_description is public).
SET ROLE regress_custodian;
SELECT exlink.publish('covx.private', 'covx.src', 'employee', '{region}', '{cx}', force => true);
SELECT object, kind, dimensions, measures, rollup, k, max_member_share, period FROM exlink.catalog
 WHERE object::text LIKE 'covx.%' ORDER BY object::text COLLATE "C";
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: a publication not granted to the analyst is not listed
SELECT object, kind, dimensions, measures, rollup, k, max_member_share, period FROM exlink.catalog
 WHERE object::text LIKE 'covx.%' ORDER BY object::text COLLATE "C";
SELECT table_schema, table_name, table_type FROM information_schema.tables
 WHERE table_schema = 'exlink' OR table_schema = 'covx' ORDER BY 1, 2;
SELECT c.relname, a.attname, col_description(c.oid, a.attnum) IS NOT NULL AS commented
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.oid IN ('covx.cells'::regclass, 'covx.coverage'::regclass) AND col_description(c.oid, a.attnum) IS NULL;
SELECT a.attname, col_description(a.attrelid, a.attnum)
  FROM pg_attribute a WHERE a.attrelid = 'covx.coverage'::regclass AND a.attnum > 0 AND a.attname IN ('status', 'members')
 ORDER BY a.attnum;
SELECT col_description('covx.cells'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'covx.cells'::regclass AND attname = 'moments'));
RESET ROLE;

SET ROLE regress_custodian;
SELECT exlink.unpublish('covx.private');
DROP VIEW covx.coverage;
SELECT exlink.unpublish('covx.cells');
RESET ROLE;
DROP SCHEMA covx CASCADE;
