-- The data behind the dashboard example (examples/dashboard/): the demo's synthetic EX/CX data
-- (examples/generate.sql), linked by the custodian, published by region x team per sealed survey
-- wave (a period publication) with roll-up (so organisation, region and team rows carry their
-- own exact figures in each wave), with results tables (key drivers of CSAT and correlations),
-- a window over the waves with its key drivers, and a coverage view over the org chart (which
-- teams are suppressed), granted to the analyst role.  Each wave is sealed once: its cells and
-- results are computed from its rows when it is sealed and never again (no refresh of a
-- snapshot, no unsafe setting).
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Run as a superuser in a throwaway cluster (`make dashboard`, test/shell/dashboard.sh).
-- WARNING: drops and recreates the database exlink_dashboard and the roles dashboard_admin,
-- dashboard_analyst, bi_dashboard, dashboard_hr and dashboard_cx.
-- Parameters (psql variables): seed (42), employees (2000), teams (150), transactions (300000),
-- password (the analyst login's, for TCP with scram; default change-me).
\set ON_ERROR_STOP on
\if :{?password} \else \set password change-me \endif
\c postgres
SET client_min_messages = warning;
DROP DATABASE IF EXISTS exlink_dashboard WITH (FORCE);
DROP ROLE IF EXISTS bi_dashboard;
DROP ROLE IF EXISTS dashboard_analyst;
DROP ROLE IF EXISTS dashboard_admin;
DROP ROLE IF EXISTS dashboard_hr;
DROP ROLE IF EXISTS dashboard_cx;
CREATE ROLE dashboard_admin;                      -- the custodian
CREATE ROLE dashboard_hr;                         -- owners of the raw data
CREATE ROLE dashboard_cx;
CREATE ROLE dashboard_analyst;                    -- reads publications and results tables only
CREATE ROLE bi_dashboard LOGIN IN ROLE dashboard_analyst;   -- the dashboard's own login
SET password_encryption = 'scram-sha-256';
ALTER ROLE bi_dashboard PASSWORD :'password';
CREATE DATABASE exlink_dashboard;
\c exlink_dashboard
SET client_min_messages = warning;
CREATE EXTENSION exlink CASCADE;
GRANT USAGE ON SCHEMA exlink TO dashboard_admin, dashboard_analyst;

\set hr_owner dashboard_hr
\set cx_owner dashboard_cx
\set QUIET on
\ir ../generate.sql
SET client_min_messages = warning;

-- The linked source, as in the demo (examples/demo.sql, steps 3 and 4, in one statement): each
-- transaction with the EX record in force at its time, employees under a keyed pseudonym.
SELECT exlink.create_key('dashboard') AS key_version \gset
CREATE INDEX ON hr.survey (employee_id, wave);
CREATE SCHEMA link AUTHORIZATION dashboard_admin;
REVOKE ALL ON SCHEMA link FROM PUBLIC;
CREATE TABLE link.linked AS
SELECT exlink.pseudonymize(t.handled_by, 'dashboard') AS pseudonym,
       e.region, e.team, x.wave AS period,
       t.csat::float8 AS csat, t.nps::float8 AS nps,
       x.engagement, x.enablement, x.manager_coaching, x.training_hours, x.workload
  FROM cx.transactions t
  JOIN hr.employees e ON e.employee_id = t.handled_by
 CROSS JOIN LATERAL (SELECT s.* FROM hr.survey s JOIN hr.survey_waves w USING (wave)
                      WHERE s.employee_id = t.handled_by AND w.opened_on <= t.handled_at
                      ORDER BY w.opened_on DESC LIMIT 1) x;
ALTER TABLE link.linked OWNER TO dashboard_admin;

-- The org chart: the regions and teams whose existence is public (the coverage view lists them
-- all, shown or suppressed).
CREATE TABLE link.org_units AS SELECT DISTINCT region, team FROM hr.employees;
ALTER TABLE link.org_units OWNER TO dashboard_admin;

-- Publication, results tables, window and coverage (the custodian).
CREATE SCHEMA published AUTHORIZATION dashboard_admin;
GRANT USAGE ON SCHEMA published TO dashboard_analyst;
GRANT EXECUTE ON FUNCTION
    exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
    exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name),
    exlink.publish_window(text, regclass, text, name[]),
    exlink.publish_window_results(text, regclass, name, name[], text, name[]),
    exlink.publish_coverage(text, regclass, regclass, name[]),
    exlink.seal(regclass, text) TO dashboard_admin;
GRANT SELECT, INSERT, DELETE ON exlink.publications, exlink.sealed_periods, exlink.result_tables TO dashboard_admin;
SET ROLE dashboard_admin;
-- 1. The cells of each wave (the period), by region and team with roll-up: organisation
--    (level 0), region (1) and team (2) rows, each over its own rows.  Without period_length the
--    waves are sealed on request (step 3), so the results tables come first.
SELECT exlink.publish('published.cx', 'link.linked', 'pseudonym', '{region,team}',
                      '{csat,nps,engagement,enablement,manager_coaching,training_hours,workload}',
                      rollup => true, period => 'period', grant_to => '{dashboard_analyst}');
-- 2. Results tables: key drivers and correlations per released cell and wave.
SELECT exlink.publish_results('published.cx_drivers', 'published.cx', 'csat',
                              '{engagement,enablement,manager_coaching,training_hours,workload}',
                              grant_to => '{dashboard_analyst}');
SELECT exlink.publish_results('published.cx_correlations', 'published.cx', 'csat',
                              '{engagement,enablement,manager_coaching,training_hours,workload}',
                              statistic => 'correlations', grant_to => '{dashboard_analyst}');
-- 3. Seal every wave: its cells and results are released once, from its own rows.
SELECT w.period AS wave, exlink.seal('published.cx', w.period::text) AS cells_released
  FROM (SELECT DISTINCT period FROM link.linked) w ORDER BY w.period;
-- 4. The waves merged: each cell over the last 3 waves (all of them at the last wave), with the
--    key drivers of the merged cells (estimates exact over the merged rows; no intervals: the
--    cells carry no cluster summaries).
SELECT exlink.publish_window('published.cx_waves', 'published.cx', 'last 3', grant_to => '{dashboard_analyst}');
SELECT exlink.publish_window_results('published.cx_waves_drivers', 'published.cx_waves', 'csat',
                                     '{engagement,enablement,manager_coaching,training_hours,workload}',
                                     grant_to => '{dashboard_analyst}');
-- 5. Coverage over the org chart, per sealed wave, so that suppressed teams are drawn.
SELECT exlink.publish_coverage('published.cx_coverage', 'published.cx', 'link.org_units', grant_to => '{dashboard_analyst}');
RESET ROLE;
