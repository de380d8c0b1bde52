-- Rule: a measure constant per member (an EX score on every CX row of its wave) is published
-- only where each member's value falls in one cell of the finest grain and period: two cells
-- sharing members' values differ by the values of the members they do not share, in one period
-- or across periods.  The custodian declares such columns (exlink.declare_member_constant), with
-- the scope of the value (the wave) or without (then each value is one scope); publish and every
-- seal check the rows of every period released or being released.
\set SHOW_CONTEXT never
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.sealed_periods TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.seal(regclass, text) TO regress_custodian;
GRANT SELECT, INSERT, UPDATE ON exlink.member_constant_measures TO regress_custodian;
-- (the fixture's grants, for running this test alone; they stay for the later tests)
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.released_cells, exlink.release_ledger TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.unpublish(regclass) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA mc;
GRANT USAGE ON SCHEMA mc TO regress_analyst;
-- Team A: 10 employees with one CX row in each of months 1 and 2; team B: 8 likewise; all in
-- survey wave 1, each row carrying its employee's engagement score.  A new hire of team A has
-- one row in month 2, engagement 4.
CREATE TABLE mc.src (team text, employee text, month date, wave integer, engagement float8, csat float8);
INSERT INTO mc.src
SELECT t, t || '-' || e, make_date(2025, m, 1), 1, 1 + (e * 7 % 5), (e + m) % 5 + 1
  FROM (VALUES ('A', 10), ('B', 8)) AS teams(t, size), generate_series(1, size) AS e, generate_series(1, 2) AS m;
INSERT INTO mc.src VALUES ('A', 'A-hire', '2025-02-01', 1, 4, 3);

-- Without a declaration the attack works (the residual risk docs/security.md names): the
-- custodian publishes team x month, the analyst subtracts.
SELECT exlink.publish('mc.undeclared', 'mc.src', 'employee', '{team}', '{engagement}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('mc.undeclared', '2025-01-01') + exlink.seal('mc.undeclared', '2025-02-01') AS released;
SET ROLE regress_analyst;
SELECT round((f.responses * f.mean_engagement - j.responses * j.mean_engagement)::numeric, 6) AS hire_engagement
  FROM mc.undeclared j JOIN mc.undeclared f ON f.team = j.team AND f.period = '2025-02-01'
 WHERE j.team = 'A' AND j.period = '2025-01-01';
RESET ROLE;
SET ROLE regress_custodian;
SELECT exlink.unpublish('mc.undeclared');

-- The declaration (owner of the source only; an unknown column is refused).
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: someone else declaring (the owner's declaration is the positive control below)
SELECT exlink.declare_member_constant('mc.src', '{engagement}');
RESET ROLE;
SET ROLE regress_custodian;
SELECT exlink.declare_member_constant('mc.src', '{nosuch}');
SELECT exlink.declare_member_constant('mc.src', '{engagement}');
SELECT * FROM exlink.member_constant_splits('mc.src', 'employee', '{team}', '{engagement,csat}', 'month');
SELECT * FROM exlink.member_constant_splits('mc.src', 'employee', '{team}', '{engagement,csat}', 'wave');
-- must fail: publishing the declared measure by month (a snapshot, or live, or a period
-- publication whose existing periods split members' values)
SELECT exlink.publish('mc.snap', 'mc.src', 'employee', '{team,month}', '{engagement}', grant_to => '{regress_analyst}');
SELECT exlink.publish('mc.live', 'mc.src', 'employee', '{team}', '{engagement}', live => true, grant_to => '{regress_analyst}');
-- (the other measure, not declared, is not concerned)
SELECT exlink.publish('mc.csat', 'mc.src', 'employee', '{team,month}', '{csat}', grant_to => '{regress_analyst}');
SELECT exlink.unpublish('mc.csat');
-- the sequence: month 1 sealed while month 2 has no rows yet; month 2's rows arrive; its seal is
-- refused (its members carry month 1's values)
CREATE TABLE mc.later (LIKE mc.src);
INSERT INTO mc.later SELECT * FROM mc.src WHERE month = '2025-02-01';
DELETE FROM mc.src WHERE month = '2025-02-01';
SELECT exlink.publish('mc.monthly', 'mc.src', 'employee', '{team}', '{engagement}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('mc.monthly', '2025-01-01');
INSERT INTO mc.src SELECT * FROM mc.later;
SELECT exlink.seal('mc.monthly', '2025-02-01');
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: the hire's score as February minus January (February is not released)
SELECT period, team, members FROM mc.monthly ORDER BY 1, 2;
SELECT round((f.responses * f.mean_engagement - j.responses * j.mean_engagement)::numeric, 6) AS hire_engagement
  FROM mc.monthly j JOIN mc.monthly f ON f.team = j.team AND f.period = '2025-02-01'
 WHERE j.team = 'A' AND j.period = '2025-01-01';
RESET ROLE;

-- By survey wave each member falls once: published (positive control for the rule).
SET ROLE regress_custodian;
SELECT exlink.unpublish('mc.monthly');
SELECT exlink.publish('mc.waves', 'mc.src', 'employee', '{team}', '{engagement}', grant_to => '{regress_analyst}', period => 'wave');
SELECT exlink.seal('mc.waves', '1');
RESET ROLE;
SET ROLE regress_analyst;
SELECT period, team, members, responses, round(mean_engagement::numeric, 4) AS engagement FROM mc.waves ORDER BY 1, 2;
RESET ROLE;
-- positive control: the custodian reads the hire's score in the rows
SET ROLE regress_custodian;
SELECT employee, engagement FROM mc.src WHERE employee = 'A-hire';

-- Precision: the scope.  Wave 2 (April) asks the same employees again (not the hire), and they
-- give the scores they gave in wave 1.  Declared without a scope, a member's rows with one value
-- must fall in one cell: the same score in waves 1 and 2 counts as split, and wave 2 is refused
-- by wave although its cells share no value with wave 1's (a new measurement).
INSERT INTO mc.src SELECT team, employee, '2025-04-01', 2, engagement, csat FROM mc.src WHERE month = '2025-01-01';
SELECT * FROM exlink.member_constant_splits('mc.src', 'employee', '{team}', '{engagement}', 'wave');
SELECT exlink.seal('mc.waves', '2');
-- Declared constant within the wave: a member's rows of one wave must fall in one cell.  By team
-- and wave they do (wave 2 released); by team and month they do not (wave 1's scores are in
-- January and February: the attack), so February is still refused, also through a view of the
-- table (a declaration holds for the views that read it).
SELECT exlink.declare_member_constant('mc.src', '{engagement}', scope => 'wave');
SELECT exlink.declare_member_constant('mc.src', '{engagement}', scope => 'nosuch + 1');
SELECT * FROM exlink.member_constant_splits('mc.src', 'employee', '{team}', '{engagement}', 'wave');
SELECT * FROM exlink.member_constant_splits('mc.src', 'employee', '{team}', '{engagement}', 'month');
SELECT exlink.seal('mc.waves', '2');
CREATE VIEW mc.src_view AS SELECT * FROM mc.src;
SELECT * FROM exlink.member_constant_splits('mc.src_view', 'employee', '{team}', '{engagement}', 'month');
RESET ROLE;
SET ROLE regress_analyst;
-- (positive control for the scope: both waves by team are released; wave 2 without the hire)
SELECT period, team, members, responses, round(mean_engagement::numeric, 4) AS engagement FROM mc.waves ORDER BY 1, 2;
RESET ROLE;
SELECT exlink.unpublish('mc.waves');
SET ROLE regress_custodian;
-- must fail: publishing the declared measure by month, over the table or a view of it (the
-- sequence: January sealed, February refused)
SELECT exlink.publish('mc.monthly', 'mc.src_view', 'employee', '{team}', '{engagement}', grant_to => '{regress_analyst}', period => 'month');
SELECT exlink.seal('mc.monthly', '2025-01-01');
SELECT exlink.seal('mc.monthly', '2025-02-01');
RESET ROLE;
SET ROLE regress_analyst;
-- must fail: the hire's score as February minus January (February is not released)
SELECT period, team, members FROM mc.monthly ORDER BY 1, 2;
SELECT round((f.responses * f.mean_engagement - j.responses * j.mean_engagement)::numeric, 6) AS hire_engagement
  FROM mc.monthly j JOIN mc.monthly f ON f.team = j.team AND f.period = '2025-02-01'
 WHERE j.team = 'A' AND j.period = '2025-01-01';
RESET ROLE;
SELECT exlink.unpublish('mc.monthly');
DROP SCHEMA mc CASCADE;
DELETE FROM exlink.member_constant_measures;
REVOKE ALL ON exlink.sealed_periods, exlink.member_constant_measures FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.seal(regclass, text) FROM regress_custodian;
