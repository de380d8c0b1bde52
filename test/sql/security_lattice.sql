-- Rule: all period publications over one source share one lattice per sealed period.  A later
-- publication of another grain is suppressed jointly with what is already released (earlier
-- releases fixed, never complements; a new cell that would let a fixed release isolate fewer
-- than k members is withheld); the same grain twice gives identical figures; grains that do not
-- nest, or another relation, period or member over the same tables, are refused.
\set SHOW_CONTEXT never
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.sealed_periods TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.unpublish(regclass), exlink.seal(regclass, text) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA lat;
GRANT USAGE ON SCHEMA lat TO regress_analyst;
-- Region A: teams a1 (9) and a2 (3: hidden); region B: b1 (7), b2 (5); region C: c1 (8), c2 (6).
-- The teams' lattice hides a2 and, as its complement, the smallest team b2.
-- One row per employee and month, January and February 2025.
CREATE TABLE lat.src (region text, team text, employee text, month date, cx float8);
INSERT INTO lat.src
SELECT upper(left(t, 1)), t, t || '-' || e, make_date(2025, m, 1), (e * 3 + m) % 10
  FROM (VALUES ('a1', 9), ('a2', 3), ('b1', 7), ('b2', 5), ('c1', 8), ('c2', 6)) AS teams(t, size),
       generate_series(1, size) AS e, generate_series(1, 2) AS m;
CREATE VIEW lat.copy AS SELECT * FROM lat.src;

-- First release: teams (no roll-up), January.
SELECT exlink.publish('lat.teams', 'lat.src', 'employee', '{region,team}', '{cx}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('lat.teams', '2025-01-01');
-- Refused: a grain that does not nest with (region, team) (team alone would, region alone
-- would; channel-like crossings do not), another relation over the same table, another period.
SELECT exlink.publish('lat.bad', 'lat.src', 'employee', '{region,cx}', period => 'month');
SELECT exlink.publish('lat.bad', 'lat.copy', 'employee', '{region}', '{cx}', period => 'month');
SELECT exlink.publish('lat.bad', 'lat.src', 'employee', '{region}', '{cx}', period => 'date_trunc(''year'', month::timestamp)');
-- A coarser grain published later: regions with their total, January.
SELECT exlink.publish('lat.regions', 'lat.src', 'employee', '{region}', '{cx}', rollup => true, grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('lat.regions', '2025-01-01');
-- The same grain twice.
SELECT exlink.publish('lat.teams2', 'lat.src', 'employee', '{region,team}', '{cx}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('lat.teams2', '2025-01-01');
-- February: the coarser publication seals first, then the teams (the finer grain later).
SELECT exlink.seal('lat.regions', '2025-02-01');
SELECT exlink.seal('lat.teams', '2025-02-01');
RESET ROLE;

SET ROLE regress_analyst;
SELECT period, team, members FROM lat.teams ORDER BY period, team;
SELECT period, level, region, members FROM lat.regions ORDER BY period, level, region;
-- must fail: team a2 (3 members) as region A minus team a1, or team b2 (a2's complement) as
-- region B minus b1, in any period (whichever publication sealed the period first)
-- (each region has two teams: a released region with exactly one released team)
SELECT r.period, r.region, r.members - sum(t.members) AS hidden_team_members
  FROM lat.regions r JOIN lat.teams t ON t.period = r.period AND t.region = r.region
 WHERE r.level = 1 GROUP BY r.period, r.region, r.members HAVING count(*) = 1
 ORDER BY 1, 2;
-- (control of the query: regions whose two teams are released, the figures it reads)
SELECT r.period, r.region, count(*) AS teams_released
  FROM lat.regions r JOIN lat.teams t ON t.period = r.period AND t.region = r.region
 WHERE r.level = 1 GROUP BY r.period, r.region ORDER BY 1, 2;
-- what the analyst can subtract: the total minus every released team is the union of a2 and
-- b2 (8 members), and the total minus the released regions covers two regions
SELECT tot.period, tot.members - (SELECT sum(t.members) FROM lat.teams t WHERE t.period = tot.period) AS hidden_teams_members,
       tot.members - (SELECT sum(r.members) FROM lat.regions r WHERE r.period = tot.period AND r.level = 1) AS hidden_regions_members
  FROM lat.regions tot WHERE tot.level = 0 ORDER BY 1;
-- The same grain twice: identical figures.
SELECT (SELECT array_agg(cell || '=' || members || '/' || responses || '/' || mean_cx || '/' || moments::text ORDER BY cell) FROM lat.teams WHERE period = '2025-01-01')
     = (SELECT array_agg(cell || '=' || members || '/' || responses || '/' || mean_cx || '/' || moments::text ORDER BY cell) FROM lat.teams2) AS same_figures;
RESET ROLE;
-- positive control: the custodian sees team a2 and region A
SET ROLE regress_custodian;
SELECT region, team, count(DISTINCT employee) AS members FROM lat.src WHERE region = 'A' AND month = '2025-01-01' GROUP BY 1, 2 ORDER BY 2;

-- A late row for January: the other publications cannot seal January over other rows.
INSERT INTO lat.src VALUES ('B', 'b1', 'b1-late', '2025-01-01', 5);
SELECT exlink.publish('lat.teams3', 'lat.src', 'employee', '{region,team}', '{cx}', period => 'month');
SELECT exlink.seal('lat.teams3', '2025-01-01');
SELECT exlink.seal('lat.teams3', '2025-02-01') AS february_cells;
RESET ROLE;
SELECT exlink.unpublish('lat.teams3'), exlink.unpublish('lat.teams2'), exlink.unpublish('lat.regions'), exlink.unpublish('lat.teams');
DROP SCHEMA lat CASCADE;

-- A snapshot beside a period publication over the same table through another relation (red
-- team, 0.3.0): team a has 10 employees in January and 3 in February (hidden, with team c as
-- its complement).  A snapshot of all time by team over a view of the table, minus January's
-- released cell, gave February's hidden team a (3 responses, mean 9 exactly).  Snapshots and
-- live publications are now matched with period publications by the tables they read.
-- (security_periods left the custodian its grants on released_cells and release_ledger)
SET ROLE regress_custodian;
CREATE SCHEMA snap;
GRANT USAGE ON SCHEMA snap TO regress_analyst;
CREATE TABLE snap.src (team text, employee text, month date, cx float8);
INSERT INTO snap.src SELECT 'a', 'a-' || e, '2025-01-01', e % 7 FROM generate_series(1, 10) e;
INSERT INTO snap.src SELECT 'a', 'a-' || e, '2025-02-01', 9 FROM generate_series(1, 3) e;
INSERT INTO snap.src SELECT t, t || '-' || e, make_date(2025, m, 1), (e * 3 + m) % 10
  FROM (VALUES ('b', 8), ('c', 7)) AS x(t, n), generate_series(1, n) e, generate_series(1, 2) m;
CREATE VIEW snap.copy AS SELECT * FROM snap.src;
CREATE TABLE snap.other (team text, employee text, cx float8);
INSERT INTO snap.other SELECT 'a', 'a-' || e, e FROM generate_series(1, 6) e;
-- a snapshot of all time over a view of the table exists: a period publication of the table is refused
SELECT exlink.publish('snap.alltime', 'snap.copy', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}');
SELECT exlink.publish('snap.monthly', 'snap.src', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.unpublish('snap.alltime');
-- the other order: the period publication exists
SELECT exlink.publish('snap.monthly', 'snap.src', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('snap.monthly', '2025-01-01'), exlink.seal('snap.monthly', '2025-02-01');
-- refused (42501): a snapshot or a live publication of all time over a view of the same table
SELECT exlink.publish('snap.alltime', 'snap.copy', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}');
SELECT exlink.publish('snap.alltime', 'snap.copy', 'employee', '{team}', '{cx}', live => true, grant_to => '{regress_analyst}');
-- (control: a snapshot of another table is made)
SELECT exlink.publish('snap.other_teams', 'snap.other', 'employee', '{team}', '{cx}');
-- Another period publication of the same grain with more measures (red team, 0.3.0): rows
-- missing a measure are left out of every cell, so team a published with {cx} and with {cx, ex}
-- differed by employee a-1's row (no ex), whose cx was the difference.  Refused (42501), and
-- so is one without measures (all rows); the same measures are accepted (the same cells).
ALTER TABLE snap.src ADD COLUMN ex float8;
UPDATE snap.src SET ex = 3 WHERE employee <> 'a-1';
SELECT exlink.publish('snap.monthly_ex', 'snap.src', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.publish('snap.monthly_ex', 'snap.src', 'employee', '{team}', '{}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.publish('snap.monthly_again', 'snap.src', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('snap.monthly_again', '2025-01-01');
RESET ROLE;
SET ROLE regress_analyst;
SELECT period, cell, members FROM snap.monthly ORDER BY 1, 2;
-- must fail: one lattice per source (employee a-1's cx as team a with {cx} minus team a with {cx, ex})
SELECT a.cell, a.responses - b.responses AS rows_left_out
  FROM snap.monthly a JOIN snap.monthly_ex b USING (period, cell);
-- (the same measures twice: the same cells)
SELECT (SELECT array_agg(cell || '=' || responses || '/' || mean_cx ORDER BY cell) FROM snap.monthly WHERE period = '2025-01-01')
     = (SELECT array_agg(cell || '=' || responses || '/' || mean_cx ORDER BY cell) FROM snap.monthly_again) AS same_cells;
-- must fail: one lattice per source (team a in February, 3 members, as all time minus January)
SELECT t.cell, t.responses - m.responses AS hidden_responses
  FROM snap.alltime t JOIN snap.monthly m ON m.cell = t.cell AND m.period = '2025-01-01';
SELECT count(*) AS publications_over_snap_src FROM exlink.catalog WHERE object::text LIKE 'snap.%';
RESET ROLE;
-- positive control: the custodian sees team a's 3 members in February
SET ROLE regress_custodian;
SELECT team, count(DISTINCT employee) AS members FROM snap.src WHERE month = '2025-02-01' GROUP BY 1 ORDER BY 1;
SELECT employee, month, cx, ex FROM snap.src WHERE ex IS NULL ORDER BY 2;
RESET ROLE;
SELECT exlink.unpublish('snap.monthly_again'), exlink.unpublish('snap.monthly'), exlink.unpublish('snap.other_teams');
DROP SCHEMA snap CASCADE;

-- Two snapshots over two views of one table (0.3.0): publications are judged by the tables
-- they read, not by the source's name.  Team a has 8 veterans and 2 new hires; a snapshot by
-- team over all rows and one over the veterans' view differ by the hires' rows (2 members).
SET ROLE regress_custodian;
CREATE SCHEMA views2;
GRANT USAGE ON SCHEMA views2 TO regress_analyst;
CREATE TABLE views2.src (team text, employee text, hired date, cx float8);
INSERT INTO views2.src SELECT t, t || '-' || e, '2024-01-01', (e * 3) % 10
  FROM (VALUES ('a', 8), ('b', 7)) AS x(t, n), generate_series(1, n) e;
INSERT INTO views2.src VALUES ('a', 'a-new1', '2025-03-01', 9), ('a', 'a-new2', '2025-03-01', 2);
CREATE VIEW views2.everyone AS SELECT * FROM views2.src;
CREATE VIEW views2.veterans AS SELECT * FROM views2.src WHERE hired < '2025-01-01';
SELECT exlink.source_tables('views2.everyone') = exlink.source_tables('views2.veterans') AS same_tables;
SELECT exlink.publish('views2.all_teams', 'views2.everyone', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}');
-- refused (42501): the same grain over another view of the same table, snapshot or live
SELECT exlink.publish('views2.veteran_teams', 'views2.veterans', 'employee', '{team}', '{cx}', grant_to => '{regress_analyst}');
SELECT exlink.publish('views2.veteran_teams', 'views2.veterans', 'employee', '{team}', '{cx}', live => true, grant_to => '{regress_analyst}');
RESET ROLE;
SET ROLE regress_analyst;
SELECT team, responses, members FROM views2.all_teams ORDER BY team;
-- must fail: one lattice per source (team a's two hires as all rows minus the veterans)
SELECT a.team, a.responses - v.responses AS hires, round((a.responses * a.mean_cx - v.responses * v.mean_cx)::numeric, 6) AS hires_cx
  FROM views2.all_teams a JOIN views2.veteran_teams v USING (team);
SELECT count(*) AS publications_over_views2 FROM exlink.catalog WHERE object::text LIKE 'views2.%';
RESET ROLE;
-- positive control: forced (the custodian's opt-in, no analyst grant), the pair gives the hires
-- exactly; the custodian sees them in the rows
SET ROLE regress_custodian;
SELECT exlink.publish('views2.veteran_teams', 'views2.veterans', 'employee', '{team}', '{cx}', force => true);
SELECT a.team, a.responses - v.responses AS hires, round((a.responses * a.mean_cx - v.responses * v.mean_cx)::numeric, 6) AS hires_cx
  FROM views2.all_teams a JOIN views2.veteran_teams v USING (team) ORDER BY 1;
SELECT count(*) AS hires, sum(cx) AS hires_cx FROM views2.src WHERE hired >= '2025-01-01';
RESET ROLE;
SELECT exlink.unpublish('views2.veteran_teams'), exlink.unpublish('views2.all_teams');
DROP SCHEMA views2 CASCADE;

-- Results tables split over two period publications of the same cells (red team, 0.3.0): the
-- withheld-inference rule counted the fourth-order figures of one publication's results tables
-- (exlink.results_fourth_order), so a correlations table on 7 drivers over one publication and a
-- drivers table on the same 7 over its twin each passed for a 19-member cell with 8 measures
-- (7 and 28 figures) and together published 35, which needs 20.  Now the period publications
-- over the same tables count together: both tables withhold the inference.
SET ROLE regress_custodian;
CREATE SCHEMA inf;
GRANT USAGE ON SCHEMA inf TO regress_analyst;
CREATE TABLE inf.src (team text, employee text, month date, y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8, x7 float8);
INSERT INTO inf.src SELECT 'a', 'e' || e, '2025-01-01', sin(e * 1.1) + e % 3, sin(e * 2.3), cos(e * 1.7), sin(e * 3.1), cos(e * 0.7), sin(e * 5.3), cos(e * 4.1), sin(e * 0.37)
  FROM generate_series(1, 19) e;
SELECT exlink.publish('inf.p1', 'inf.src', 'employee', '{team}', '{y,x1,x2,x3,x4,x5,x6,x7}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.publish('inf.p2', 'inf.src', 'employee', '{team}', '{y,x1,x2,x3,x4,x5,x6,x7}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.publish_results('inf.p1_corr', 'inf.p1', 'y', '{x1,x2,x3,x4,x5,x6,x7}', 'correlations', grant_to => '{regress_analyst}');
SELECT exlink.publish_results('inf.p2_drivers', 'inf.p2', 'y', '{x1,x2,x3,x4,x5,x6,x7}', 'drivers', grant_to => '{regress_analyst}');
SELECT exlink.seal('inf.p1', '2025-01-01'), exlink.seal('inf.p2', '2025-01-01');
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: inference of a cell whose published fourth-order figures together exceed the bound
SELECT 'corr' AS t, members, count(*) AS rows_, count(p_value) AS p_shown, min(status) FROM inf.p1_corr GROUP BY members
UNION ALL
SELECT 'drivers', members, count(*), count(p_value), min(status) FROM inf.p2_drivers GROUP BY members;
RESET ROLE;
-- (the release decision alone: each table passes, together they do not)
SELECT exlink.release_status(19, 5, 19, 1, NULL, NULL, NULL, NULL, 8, 7) AS corr_alone, exlink.release_status(19, 5, 19, 1, NULL, NULL, NULL, NULL, 8, 28) AS drivers_alone, exlink.release_status(19, 5, 19, 1, NULL, NULL, NULL, NULL, 8, 35) AS together;
-- positive control: the custodian fits the cell's drivers with their inference from the rows
SET ROLE regress_custodian;
SELECT (x).status, ((x).drivers[1]).beta_se IS NOT NULL AS custodian_sees_se
  FROM (SELECT exlink.driver_weights(y, ARRAY[x1, x2, x3, x4, x5, x6, x7]) AS x FROM inf.src) AS f;
RESET ROLE;
SELECT exlink.unpublish('inf.p1'), exlink.unpublish('inf.p2');
DROP SCHEMA inf CASCADE;
-- (back to the grants security_periods leaves)
REVOKE ALL ON exlink.sealed_periods FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.seal(regclass, text) FROM regress_custodian;
