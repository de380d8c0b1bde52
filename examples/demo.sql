-- exlink demo: the whole owner -> custodian -> analyst workflow on synthetic data with planted
-- effects.  Run by `make demo` (tools/run-demo.sh) as a superuser in a throwaway cluster; it is
-- idempotent (drops and recreates its database and roles).
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- WARNING: it drops and recreates the database exlink_demo and the roles exlink_admin, hr_owner,
-- cx_owner and analyst: run it only in a throwaway cluster (as `make demo` does).
--
-- Every figure the analyst sees comes from exlink functions over published cells:
-- exlink.create_key/pseudonymize (3), exlink.publish by sealed period + exlink.seal (5),
-- exlink.linked_correlation (7), exlink.subset + exlink.driver_weights/drivers and
-- exlink.driver_priority (8), exlink.driver_weights with the team as member (10).  The operator's
-- final check uses the same functions, and exlink.nps/guarded_avg/members_at_least.
\set ON_ERROR_STOP on
\set QUIET on
\if :{?seed} \else \set seed 42 \endif
\if :{?k} \else \set k 5 \endif
\pset footer off
\pset null '-'
\pset linestyle unicode
\pset border 1
SET client_min_messages = warning;

\echo
\echo '==================================================================================='
\echo ' exlink demo: which parts of the employee experience drive customer experience?'
\echo '==================================================================================='
\echo
\echo '--- 1. Roles (cluster-wide): the key custodian, two data owners, one analyst -------'
\c postgres
SET client_min_messages = warning;
DROP DATABASE IF EXISTS exlink_demo;
DROP ROLE IF EXISTS analyst;
DROP ROLE IF EXISTS hr_owner;
DROP ROLE IF EXISTS cx_owner;
DROP ROLE IF EXISTS exlink_admin;
CREATE ROLE exlink_admin LOGIN;   -- custodian: keys, linkage, publications
CREATE ROLE hr_owner LOGIN;       -- owns schema hr (raw HR + EX survey)
CREATE ROLE cx_owner LOGIN;       -- owns schema cx (raw CX transactions)
CREATE ROLE analyst LOGIN;        -- reads published views only
CREATE DATABASE exlink_demo;
\c exlink_demo
SET client_min_messages = warning;
CREATE EXTENSION exlink CASCADE;  -- pulls in pgcrypto
GRANT USAGE ON SCHEMA exlink TO exlink_admin, hr_owner, cx_owner, analyst;
SELECT r.rolname AS role,
       CASE r.rolname WHEN 'exlink_admin' THEN 'custodian: keys, linked source, publications'
                      WHEN 'hr_owner' THEN 'owns hr.* (employees, EX survey waves)'
                      WHEN 'cx_owner' THEN 'owns cx.* (CX transactions)'
                      ELSE 'reads published views only' END AS may
  FROM pg_roles r WHERE r.rolname IN ('exlink_admin', 'hr_owner', 'cx_owner', 'analyst')
 ORDER BY array_position(ARRAY['exlink_admin', 'hr_owner', 'cx_owner', 'analyst'], r.rolname::text);
SELECT exlink.version() AS exlink_version, exlink.min_group_size() AS "k (exlink.min_group_size)";

\echo
\echo '--- 2. Raw data: synthetic, deterministic (seed' :seed'), with planted EX -> CX effects'
\set QUIET on
\ir generate.sql
SET client_min_messages = warning;
SELECT 'hr.employees' AS "table", count(*) AS "rows", 'raw ID, team, region, hire date; protected: gender, birth date' AS holds FROM hr.employees
UNION ALL SELECT 'hr.survey', count(*), '3 waves: 6 EX measures, performance, eNPS item' FROM hr.survey
UNION ALL SELECT 'cx.transactions', count(*), 'csat 1-5, nps 0-10, effort 1-7, raw ID of handler, time' FROM cx.transactions;
SELECT count(*) AS teams, count(*) FILTER (WHERE n < :k) AS "teams below k", min(n) AS smallest, max(n) AS largest,
       count(DISTINCT region) AS regions
  FROM (SELECT team, region, count(*) AS n FROM hr.employees GROUP BY 1, 2) t;

\echo
\echo '--- 3. Keys and pseudonyms (custodian, then each owner on their own side) ----------'
-- The custodian creates the linkage key; it stays in exlink.pseudonym_keys, which nobody else can
-- read.  The owners may call exlink.pseudonymize(id, domain) (HMAC-SHA-256 under that key) and
-- nothing else of the key custody.
GRANT EXECUTE ON FUNCTION exlink.create_key(text, bytea) TO exlink_admin;
GRANT EXECUTE ON FUNCTION exlink.pseudonymize(text, text) TO hr_owner, cx_owner;
SET ROLE exlink_admin;
SELECT exlink.create_key('linkage-2026') AS key_version \gset
RESET ROLE;
\echo 'custodian: key linkage-2026 (version' :key_version') created in exlink.pseudonym_keys, readable by nobody else'
\echo 'owners pseudonymize with exlink.pseudonymize(id, ''linkage-2026'') and never see the key'

-- HR owner: a linkable extract with pseudonyms, team and region, no protected attributes.
SET ROLE hr_owner;
CREATE TABLE hr.ex_linkable AS
SELECT exlink.pseudonymize(s.employee_id, 'linkage-2026') AS pseudonym,
       e.region, e.team, s.wave, w.opened_on,
       s.engagement, s.enablement, s.manager_coaching, s.training_hours, s.tenure_years,
       s.workload, s.performance, s.enps_score
  FROM hr.survey s JOIN hr.employees e USING (employee_id) JOIN hr.survey_waves w USING (wave);
CREATE INDEX ON hr.ex_linkable (pseudonym, opened_on);
GRANT USAGE ON SCHEMA hr TO exlink_admin;
GRANT SELECT ON hr.ex_linkable, hr.survey_waves TO exlink_admin;
RESET ROLE;

-- CX owner: the same, pseudonymizing each distinct employee ID once.
SET ROLE cx_owner;
CREATE TABLE cx.cx_linkable AS
WITH p AS (SELECT handled_by, exlink.pseudonymize(handled_by, 'linkage-2026') AS pseudonym
             FROM (SELECT DISTINCT handled_by FROM cx.transactions) d)
SELECT t.transaction_id, p.pseudonym, t.handled_at, t.channel, t.csat, t.nps, t.effort
  FROM cx.transactions t JOIN p USING (handled_by);
GRANT USAGE ON SCHEMA cx TO exlink_admin;
GRANT SELECT ON cx.cx_linkable TO exlink_admin;
RESET ROLE;
SELECT 'hr.ex_linkable' AS extract, count(*) AS "rows", count(DISTINCT pseudonym) AS employees,
       left(min(pseudonym), 16) || '...' AS "a pseudonym" FROM hr.ex_linkable
UNION ALL
SELECT 'cx.cx_linkable', count(*), count(DISTINCT pseudonym), left(min(pseudonym), 16) || '...' FROM cx.cx_linkable;

\echo
\echo '--- 4. Linked source (custodian): each transaction + the EX wave in force at its time'
-- The last four weeks of transactions arrive later (step 5: nightly load, then a refresh).
SELECT (max(handled_at) - interval '4 weeks')::date AS late_from FROM cx.transactions \gset
CREATE SCHEMA link AUTHORIZATION exlink_admin;
REVOKE ALL ON SCHEMA link FROM PUBLIC;
SET ROLE exlink_admin;
CREATE VIEW link.as_of AS
SELECT c.transaction_id, c.pseudonym, c.handled_at, c.channel,
       (SELECT max(w.wave) FROM hr.survey_waves w WHERE w.opened_on <= c.handled_at) AS period,
       x.region, x.team, x.wave AS ex_wave,
       c.csat::float8 AS csat, c.nps::float8 AS nps, c.effort::float8 AS effort,
       x.engagement, x.enablement, x.manager_coaching, x.training_hours, x.tenure_years,
       x.workload, x.performance, x.enps_score,
       (c.nps >= 9)::int::float8 AS nps_promoter, (c.nps <= 6)::int::float8 AS nps_detractor
  FROM cx.cx_linkable c
 CROSS JOIN LATERAL (SELECT * FROM hr.ex_linkable x
                      WHERE x.pseudonym = c.pseudonym AND x.opened_on <= c.handled_at
                      ORDER BY x.opened_on DESC LIMIT 1) x;     -- the as-of join
CREATE TABLE link.linked AS SELECT * FROM link.as_of WHERE handled_at < :'late_from';
ANALYZE link.linked;
-- The EX side per employee and wave (for respondents, eNPS and EX means per cell).
CREATE TABLE link.ex_waves AS
SELECT pseudonym, team, wave, engagement, enablement, manager_coaching,
       (enps_score >= 9)::int::float8 AS enps_promoter, (enps_score <= 6)::int::float8 AS enps_detractor
  FROM hr.ex_linkable;
RESET ROLE;
SELECT count(*) AS "linked transactions",
       (SELECT count(*) FROM cx.transactions WHERE handled_at < :'late_from') - count(*) AS "no EX record in force (dropped)",
       count(*) FILTER (WHERE ex_wave < period) AS "carried from an earlier wave",
       count(DISTINCT pseudonym) AS employees
  FROM link.linked;
\echo 'loaded: transactions before' :late_from'; the last four weeks come with the nightly load (step 5)'

\echo
\echo '--- 5. Publication (custodian): one grain, team x wave, only cells with >= k employees'
-- exlink.publish: CX cells (region x team with roll-up, by sealed period: the wave in force,
-- from the linked rows; each period's cells computed once, when it is sealed, and never again)
-- and EX cells (team x wave, from the survey: a snapshot, published once), released cells only
-- (k baked in, protected columns refused, registered in exlink.publications), joined by a plain
-- view for the analyst.  One lattice per source: a second, overlapping grain would let an
-- analyst subtract cells.
CREATE SCHEMA published AUTHORIZATION exlink_admin;
GRANT USAGE ON SCHEMA published TO analyst;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name),
                          exlink.refresh(regclass), exlink.seal(regclass, text) TO exlink_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.released_cells, exlink.release_ledger,
                                        exlink.result_tables, exlink.sealed_periods TO exlink_admin;
GRANT SELECT ON exlink.refresh_status TO exlink_admin;
CREATE FUNCTION pg_temp.attempt(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ALLOWED';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- Cluster summaries in the published cells (exact clustered intervals after merging cells) are a
-- superuser's opt-in, off by default: their fourth-order sums disclose more about the members of a
-- small cell than k protects (docs/security.md).  The demo turns them on to show the clustered
-- intervals; a production custodian should not without a disclosure review.
SET exlink.cluster_summary = on;
\echo 'The superuser opts in to cluster summaries in the published cells (exlink.cluster_summary,'
\echo 'off by default: they disclose more about small cells than k protects, docs/security.md).'
SET ROLE exlink_admin;
SELECT exlink.publish('published.cx_cells', 'link.linked', 'pseudonym', '{region,team}',
                      '{csat,nps,effort,engagement,enablement,manager_coaching,training_hours,tenure_years,workload,performance,nps_promoter,nps_detractor}',
                      rollup => true, period => 'period', grant_to => '{analyst}') AS cx_publication \gset
-- Results tables for BI tools: the key drivers of CSAT and the correlations, per released cell
-- (team, region and organisation rows, per sealed period), plain columns.
SELECT exlink.publish_results('published.csat_drivers', 'published.cx_cells', 'csat',
                              '{engagement,enablement,manager_coaching,training_hours,workload}', grant_to => '{analyst}');
SELECT exlink.publish_results('published.csat_correlations', 'published.cx_cells', 'csat',
                              '{engagement,enablement,manager_coaching,training_hours,workload}',
                              statistic => 'correlations', grant_to => '{analyst}');
-- The waves closed so far are sealed (the last one stays open until the nightly load, step 5).
SELECT sum(exlink.seal('published.cx_cells', p::text)) AS "cells released, closed waves"
  FROM (SELECT DISTINCT period AS p FROM link.linked WHERE period < (SELECT max(period) FROM link.linked)) w;
SELECT exlink.publish('published.ex_cells', 'link.ex_waves', 'pseudonym', '{team,wave}',
                      '{engagement,enablement,manager_coaching,enps_promoter,enps_detractor}',
                      grant_to => '{analyst}') AS ex_publication \gset
SELECT object AS publication, kind, source, array_to_string(dimensions, ' x ') AS grain,
       cardinality(measures) AS measures, k AS "k (baked in)", array_to_string(grantees, ', ') AS "readable by"
  FROM exlink.publications ORDER BY object::text COLLATE "C";
\echo 'What exlink.publish refuses, even to the custodian:'
SELECT what, pg_temp.attempt(q) AS outcome FROM (VALUES
    (1, 'a protected attribute (hr.employees by gender)',
     $q$SELECT exlink.publish('published.by_gender', 'hr.employees', 'employee_id', '{region,gender}')$q$),
    (2, 'the member column (a cell per employee)',
     $q$SELECT exlink.publish('published.per_employee', 'link.linked', 'pseudonym', '{pseudonym}', '{csat}')$q$),
    (3, 'a second grain of link.linked (region)',
     $q$SELECT exlink.publish('published.by_region', 'link.linked', 'pseudonym', '{region}', '{csat}')$q$)) v(i, what, q)
 ORDER BY i;
CREATE VIEW published.team_wave AS
SELECT c.region, c.team, c.period, c.responses, c.members,
       round(c.mean_csat::numeric, 3) AS csat, round(c.mean_nps::numeric, 3) AS nps,
       round(c.mean_effort::numeric, 3) AS effort,
       round((100 * (c.mean_nps_promoter - c.mean_nps_detractor))::numeric, 1) AS nps_score,
       e.members AS respondents,
       round((100 * (e.mean_enps_promoter - e.mean_enps_detractor))::numeric, 1) AS enps,
       round(e.mean_engagement::numeric, 3) AS engagement, round(e.mean_enablement::numeric, 3) AS enablement,
       round(e.mean_manager_coaching::numeric, 3) AS manager_coaching,
       c.moments
  FROM published.cx_cells c JOIN published.ex_cells e ON e.team = c.team AND e.wave = c.period
 WHERE c.level = 2;
REVOKE ALL ON published.team_wave FROM PUBLIC;
GRANT SELECT ON published.team_wave TO analyst;
RESET ROLE;

\echo 'Nightly load: the custodian links the last four weeks of transactions, then seals the last'
\echo 'wave: its cells are computed once, from its rows, and appended (released figures never change;'
\echo 'with period_length, exlink.refresh seals closed periods, scheduled by pg_cron: docs/bi-and-scheduling.md).'
CREATE TEMP TABLE before_refresh AS
SELECT 'published.cx_cells' AS publication, count(*) AS cells, sum(responses) AS "rows" FROM published.cx_cells WHERE level = 2
UNION ALL
SELECT 'published.ex_cells', count(*), sum(responses) FROM published.ex_cells;
SET ROLE exlink_admin;
INSERT INTO link.linked SELECT * FROM link.as_of WHERE handled_at >= :'late_from';
ANALYZE link.linked;
SELECT exlink.seal('published.cx_cells', (SELECT max(period) FROM link.linked)::text) AS last_wave_cells \gset
RESET ROLE;
SELECT count(*) AS linked_total, count(*) FILTER (WHERE handled_at >= :'late_from') AS linked_late,
       (SELECT count(*) FROM cx.transactions) - count(*) AS dropped_total
  FROM link.linked \gset
\echo 'link.linked: +':linked_late 'transactions, now' :linked_total '(':dropped_total 'without an EX record in force);'
\echo 'exlink.seal(published.cx_cells, last wave) released' :last_wave_cells 'cells (as exlink_admin):'
SELECT b.publication, b.cells AS "cells before", a.cells AS "cells after",
       b."rows" AS "rows before", a."rows" AS "rows after"
  FROM before_refresh b
  JOIN (SELECT 'published.cx_cells' AS publication, count(*) AS cells, sum(responses) AS "rows" FROM published.cx_cells WHERE level = 2
        UNION ALL
        SELECT 'published.ex_cells', count(*), sum(responses) FROM published.ex_cells) a USING (publication)
 ORDER BY 1;

\echo 'Cumulative figures by merging sealed periods (exlink.publish_window: a view for BI tools that'
\echo 'merges each cell''s released waves with exlink.merge, exact): CSAT per region over all waves so far.'
SELECT count(DISTINCT period) AS waves FROM link.linked \gset
SET ROLE exlink_admin;
SELECT exlink.publish_window('published.cx_cumulative', 'published.cx_cells', 'last ' || :waves, grant_to => '{analyst}') AS window_view;
RESET ROLE;
SELECT coalesce(region, '(all)') AS region, window_start AS "from wave", window_end AS "to wave", periods AS "waves released",
       responses, round(mean_csat::numeric, 3) AS "CSAT, merged"
  FROM published.cx_cumulative
 WHERE level <= 1 AND window_end = (SELECT max(window_end) FROM published.cx_cumulative)
 ORDER BY level, region COLLATE "C";

\echo 'Utility of sealing by period: team x wave cells released when each wave is its own lattice'
\echo '(exlink.publish_query with the period, no roll-up), against one snapshot of region x team x wave'
\echo 'over all waves (as 0.2.0 published it), and with the roll-up published.cx_cells adds (region rows):'
SELECT exlink.publish_query('link.linked', 'pseudonym', '{region,team,period}', '{csat}', :k) AS snapshot_query \gset
CREATE TEMP TABLE snapshot_cells AS :snapshot_query;
SELECT exlink.publish_query('link.linked', 'pseudonym', '{region,team}', '{csat}', :k, false, 'period',
                            (SELECT format('%L::integer[]', array_agg(DISTINCT period)) FROM link.linked)) AS by_wave_query \gset
CREATE TEMP TABLE by_wave_cells AS :by_wave_query;
SELECT (SELECT count(*) FROM (SELECT team, period FROM link.linked GROUP BY 1, 2 HAVING count(DISTINCT pseudonym) >= :k) c) AS "team x wave cells >= k",
       (SELECT count(*) FROM snapshot_cells) AS "released, one snapshot",
       (SELECT count(*) FROM by_wave_cells) AS "released, by wave",
       (SELECT count(*) FROM published.cx_cells WHERE level = 2) AS "by wave with roll-up";

\echo 'Do the CX cells nest employees (exact clustered inference from merged cells)?  exlink.split_members'
\echo 'counts the employees whose rows fall into more than one cell (custodian only; it reads the rows):'
SELECT exlink.split_members('link.linked', 'pseudonym', '{region,team,period}') AS "employees split over region x team x period",
       exlink.split_members('link.linked', 'pseudonym', '{region,team}') AS "over region x team",
       count(DISTINCT pseudonym) AS employees
  FROM link.linked;
\echo 'Employees serve customers in every period, so the period cells split them: merged over periods,'
\echo 'clustered intervals count an employee once per period and are somewhat too narrow (section 8 and'
\echo 'the planted-truth table at the end show by how much).'
SELECT team AS small_team FROM hr.employees GROUP BY team ORDER BY count(*), team COLLATE "C" LIMIT 1 \gset
SELECT count(*) AS "team x wave cells", count(*) FILTER (WHERE released) AS "released (CX and EX)",
       count(*) FILTER (WHERE NOT released) AS withheld,
       count(DISTINCT team) FILTER (WHERE released) AS "teams with a released cell"
  FROM (SELECT l.team, l.period, EXISTS (SELECT 1 FROM published.team_wave p
                                          WHERE p.team = l.team AND p.period = l.period) AS released
          FROM (SELECT DISTINCT team, period FROM link.linked) l) s;

\echo
\echo '==================================================================================='
\echo ' Connected as the ANALYST from here on: only published.team_wave is readable'
\echo '==================================================================================='
\c - analyst
SET client_min_messages = warning;
\echo
\echo '--- 6. What the analyst sees: released cells (first rows; moments column omitted) ---'
SELECT team, period, responses, members, csat, nps, effort, nps_score, respondents, enps
  FROM published.team_wave ORDER BY team COLLATE "C", period LIMIT 6;

\echo
\echo '--- 7. Linked correlations: EX measure vs CX outcome, from merged published cells ---'
-- exlink.linked_correlation(m, i, j): variables i and j (1-based) of a moments value, here the
-- merge of all released cells; the moments hold (1 csat, 2 nps, 3 effort, 4 engagement,
-- 5 enablement, 6 manager_coaching, 7 training_hours, 8 tenure_years, 9 workload, 10 performance,
-- 11 nps_promoter, 12 nps_detractor).
WITH all_cells AS (SELECT exlink.merge(moments) AS m FROM published.team_wave),
     x(measure, i) AS (VALUES ('engagement', 4), ('enablement', 5), ('manager_coaching', 6),
                              ('training_hours', 7), ('tenure_years', 8), ('workload', 9),
                              ('performance', 10))
SELECT x.measure, round((exlink.linked_correlation(m, 1, i)).r::numeric, 3) AS "r with csat",
       round((exlink.linked_correlation(m, 2, i)).r::numeric, 3) AS "r with nps",
       round((exlink.linked_correlation(m, 3, i)).r::numeric, 3) AS "r with effort",
       exlink.n(m) AS n
  FROM all_cells, x ORDER BY x.i;
\echo 'Note performance: it correlates with every CX score (through engagement) although its planted'
\echo 'effect is zero; the key-driver analysis below separates the two.'
\echo
\echo 'Per region (merged cells of each region): r(nps, enablement) with 95% CI and p, clustered by employee'
\echo '(CR1 from the cells'' cluster summaries, t on G - 1 df); r(csat, engagement)'
SELECT region, cells, (c).n, (c).clusters AS "G", round((c).r::numeric, 3) AS "r(nps, enablement)",
       '[' || round((c).ci_low::numeric, 3) || ', ' || round((c).ci_high::numeric, 3) || ']' AS "95% CI",
       CASE WHEN (c).p_value < 1e-16 THEN '< 1e-16' ELSE trim(to_char((c).p_value, '9.9EEEE')) END AS p,
       round((e).r::numeric, 3) AS "r(csat, engagement)"
  FROM (SELECT region, count(*) AS cells,
               exlink.linked_correlation(exlink.merge(moments), 2, 5) AS c,
               exlink.linked_correlation(exlink.merge(moments), 1, 4) AS e
          FROM published.team_wave GROUP BY region) s
 ORDER BY region COLLATE "C";

\echo
\set drivers '\'{engagement,enablement,manager_coaching,training_hours,tenure_years,workload,performance}\'::text[]'
\echo '--- 8. Key drivers (exlink.driver_weights on all released cells): betas, Johnson relative'
\echo '    weights and Shapley/LMG shares of R2, ranked by LMG ---------------------------------'
-- exlink.subset(m, ARRAY[outcome, drivers...]) picks the outcome and the 7 EX measures out of the
-- merged moments, in that order: variable 1 is the outcome, 2..8 the drivers.
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave)
SELECT o.outcome, d.rank, d.name AS driver, round(d.beta::numeric, 3) AS beta,
       '[' || to_char(d.ci_low, 'FM0.000') || ', ' || to_char(d.ci_high, 'FM0.000') || ']' AS "95% CI",
       CASE WHEN d.p_value < 1e-16 THEN '< 1e-16' ELSE trim(to_char(d.p_value, '9.9EEEE')) END AS p,
       round(d.relative_weight_share::numeric, 1) AS "RW % of R2", round(d.lmg_share::numeric, 1) AS "LMG % of R2",
       round(d.r2::numeric, 3) AS "R2", d.clusters AS "G"
  FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
       exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d
 ORDER BY o.y, d.rank, d.name COLLATE "C";
\echo 'The 95% CI and p are clustered by employee (inference: cluster-robust CR1, t on G - 1 df), from'
\echo 'the summaries the published cells carry.  G counts an employee once per cell: the cells are'
\echo 'region x team x period, so an employee who served customers in three periods counts three'
\echo 'times, and the team a CX score shares is not accounted for: the intervals are still somewhat'
\echo 'narrow (the planted-truth table at the end shows how many planted effects each kind covers).'
\echo 'performance: beta near 0, as planted; LMG and RW still give it a few % of R2 through its'
\echo 'correlation with engagement (shares split explained variance, they do not test effects).'
\echo
\echo 'Which driver first?  exlink.driver_priority: from 10,000 seeded draws of the betas (multivariate'
\echo 't with their clustered covariance), the probability that each driver has the largest |beta|,'
\echo 'and a 95% interval of its rank (the same figures on every refresh of the same cells).'
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave)
SELECT o.outcome, p.rank, p.name AS driver, round(p.importance::numeric, 3) AS "|beta|",
       round(p.p_most_important::numeric, 3) AS "P(most important)",
       p.rank_low || '-' || p.rank_high AS "rank 95%", p.status
  FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
       exlink.driver_priority(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) p
 WHERE p.rank <= 3
 ORDER BY o.y, p.rank, p.name COLLATE "C";
\echo
\echo 'Top 3 drivers of NPS per region (Shapley/LMG share of R2)'
WITH c AS (SELECT region, exlink.merge(moments) AS m FROM published.team_wave GROUP BY region)
SELECT c.region, round(max(d.r2)::numeric, 3) AS "R2",
       string_agg(d.name || ' ' || round(d.lmg_share::numeric) || '%', ', ' ORDER BY d.rank, d.name COLLATE "C")
           FILTER (WHERE d.rank <= 3) AS "top drivers (LMG share of R2)"
  FROM c, exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[2, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d
 GROUP BY c.region ORDER BY c.region COLLATE "C";

\echo
\echo '--- 8b. For a BI tool, no SQL: the results table published.csat_drivers, one row per released'
\echo '    team x period cell and driver, with a status a tool filters on (has_betas, inference_shown)'
SELECT status, has_betas, inference_shown, count(DISTINCT cell) AS cells, min(members) AS "fewest members",
       max(members) AS "most members"
  FROM published.csat_drivers GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1;

\echo '--- 9. eNPS (employees) vs NPS (customers) by team, last wave; small teams absent --'
-- eNPS and NPS = 100 x (mean promoter - mean detractor indicator) of a released cell, i.e. what
-- exlink.nps(score, member) gives on the cell's rows (checked by the operator at the end).
SELECT team, respondents, enps AS "eNPS", members, nps_score AS "NPS", responses
  FROM published.team_wave WHERE period = 3
 ORDER BY enps DESC, team COLLATE "C" LIMIT 5;
SELECT count(*) AS teams, round(corr(enps, nps_score)::numeric, 3) AS "r(eNPS, NPS) across teams"
  FROM published.team_wave WHERE period = 3;
SELECT :'small_team' AS "smallest team", count(*) AS "published cells", 'suppressed: below k' AS why
  FROM published.team_wave WHERE team = :'small_team';

\echo
\echo '--- 10. Direction of flow: does EX lead CX, or CX lead EX? (cross-lagged regressions)'
-- One row per team and pair of consecutive waves (team means of released cells); EX index = mean
-- of engagement, enablement and manager coaching; CX = mean NPS.  Each direction is a regression
-- of the later wave on both earlier ones, with the team as the member: the guard counts teams and
-- the inference is clustered by team (a team's two pairs share its persistent level).
CREATE TEMP TABLE flow_models AS
WITH c AS (SELECT team, period, (engagement + enablement + manager_coaching) / 3 AS ex, nps AS cx
             FROM published.team_wave),
     lagged AS (SELECT a.team, a.ex::float8 AS ex_t, a.cx::float8 AS cx_t, b.ex::float8 AS ex_next, b.cx::float8 AS cx_next
                  FROM c a JOIN c b ON b.team = a.team AND b.period = a.period + 1),
     m AS (SELECT 'NPS(t+1)' AS outcome,
                  exlink.driver_weights(cx_next, ARRAY[ex_t, cx_t], team, ARRAY['EX(t)', 'NPS(t)']) AS m FROM lagged
           UNION ALL
           SELECT 'EX(t+1)', exlink.driver_weights(ex_next, ARRAY[cx_t, ex_t], team, ARRAY['NPS(t)', 'EX(t)']) FROM lagged)
SELECT * FROM m;
SELECT m.outcome, d.name AS "on", round(d.beta::numeric, 3) AS beta,
       '[' || to_char(d.ci_low, 'FM0.000') || ', ' || to_char(d.ci_high, 'FM0.000') || ']' AS "95% CI",
       round(d.p_value::numeric, 4) AS p, d.clusters AS teams, d.n AS pairs, d.inference
  FROM flow_models m, exlink.drivers(m.m) d
 ORDER BY m.outcome DESC, d.ordinal;
CREATE TEMP VIEW flow AS
SELECT (SELECT d.ci_low FROM flow_models m, exlink.drivers(m.m) d WHERE m.outcome = 'NPS(t+1)' AND d.name = 'EX(t)') AS ex_lo,
       (SELECT d.ci_high FROM flow_models m, exlink.drivers(m.m) d WHERE m.outcome = 'NPS(t+1)' AND d.name = 'EX(t)') AS ex_hi,
       (SELECT d.ci_low FROM flow_models m, exlink.drivers(m.m) d WHERE m.outcome = 'EX(t+1)' AND d.name = 'NPS(t)') AS cx_lo,
       (SELECT d.ci_high FROM flow_models m, exlink.drivers(m.m) d WHERE m.outcome = 'EX(t+1)' AND d.name = 'NPS(t)') AS cx_hi;
\echo 'Read the cross paths: NPS(t+1) on EX(t) (does EX lead?) and EX(t+1) on NPS(t) (does CX lead?),'
\echo 'each beyond the target''s own persistence.  Temporal precedence, not proof of cause: stable team'
\echo 'differences are not separated from change (docs/drivers.md, "Direction of flow").'
SELECT 'EX -> CX' AS path,
       CASE WHEN ex_lo > 0 THEN 'EX(t) predicts later NPS (95% CI above 0)'
            WHEN ex_hi < 0 THEN 'EX(t) predicts lower later NPS (95% CI below 0)'
            ELSE 'not shown (95% CI covers 0)' END AS finding
  FROM flow
UNION ALL
SELECT 'CX -> EX',
       CASE WHEN cx_lo > 0 THEN 'NPS(t) predicts later EX (95% CI above 0)'
            WHEN cx_hi < 0 THEN 'NPS(t) predicts lower later EX (95% CI below 0)'
            ELSE 'not shown (95% CI covers 0)' END
  FROM flow;

\echo
\echo '--- 11. Refused attempts (as the analyst) -----------------------------------------'
CREATE FUNCTION pg_temp.attempt(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ALLOWED';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT what, pg_temp.attempt(q) AS outcome FROM (VALUES
    (1, 'read raw HR data', 'SELECT * FROM hr.employees'),
    (2, 'read the linked rows', 'SELECT * FROM link.linked'),
    (3, 'read the key', 'SELECT * FROM exlink.pseudonym_keys'),
    (4, 'compute a pseudonym', 'SELECT exlink.pseudonymize(''E10001'', ''linkage-2026'')'),
    (5, 'SET exlink.min_group_size = 2', 'SET exlink.min_group_size = 2'),
    (6, 'set_config(''exlink.min_group_size'', ...)', 'SELECT set_config(''exlink.min_group_size'', ''2'', false)'),
    (7, 'ALTER ROLE ... SET exlink.min_group_size', 'ALTER ROLE analyst SET exlink.min_group_size = 2'),
    (8, 'publish cells of its own choosing', 'SELECT exlink.publish(''published.mine'', ''published.cx_cells'', ''team'', ''{wave}'')'),
    (9, 'seal a period of the publication', 'SELECT exlink.seal(''published.cx_cells'', ''1'')')) v(i, what, q)
 ORDER BY i;
SELECT exlink.min_group_size() AS "k after the attempts", current_setting('exlink.min_group_size') AS "GUC";

\echo
\echo '==================================================================================='
\echo ' Back as the demo operator: planted truth vs what the analyst recovered'
\echo '==================================================================================='
\c - postgres
SET client_min_messages = warning;
\set tolerance 0.02
\echo 'found = exlink.driver_weights of each CX score on the 7 EX measures, over the merged released'
\echo 'cells (the analyst''s section 8); beta: standardized; planted/found: raw effect in CX points per'
\echo 'unit of the measure (found = beta x sd(CX) / sd(EX), the sds from the merged co-moments)'
\echo 'tolerance: |beta found - beta planted| <=' :tolerance
-- The raw slope of a driver is beta x sd(outcome) / sd(driver); the sums of squares
-- sum (x - mean)^2 of one variable are the only co-moment of exlink.subset(m, ARRAY[i]), read from
-- the moments' text form (the n - 1 of the two sds cancels).
CREATE TEMP TABLE recovered AS
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave),
     ss AS (SELECT i, (exlink.subset(c.m, ARRAY[i])::text::jsonb #>> '{comoment,0}')::float8 AS ss
              FROM c, generate_series(1, 10) i)
SELECT o.outcome, d.name AS measure, d.beta, d.beta * sqrt(sy.ss / sx.ss) AS b, d.lmg_share, d.r2,
       d.ci_low, d.ci_high
  FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
       exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d,
       ss sy, ss sx
 WHERE sy.i = o.y AND sx.i = d.ordinal + 3;
-- The same betas with four kinds of 95% interval: from the merged cells with independent rows
-- (what exlink 0.1.0 reported) and clustered by employee (the analyst's, above), and from the
-- released linked rows (the custodian's) clustered by employee and by team.
CREATE TEMP TABLE intervals AS
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave),
     released AS (SELECT l.* FROM link.linked l JOIN published.team_wave p ON p.team = l.team AND p.period = l.period),
     rows_fit AS (
         SELECT exlink.driver_weights(csat, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], pseudonym, :drivers) AS csat_e,
                exlink.driver_weights(nps, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], pseudonym, :drivers) AS nps_e,
                exlink.driver_weights(effort, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], pseudonym, :drivers) AS effort_e,
                exlink.driver_weights(csat, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], team, :drivers) AS csat_t,
                exlink.driver_weights(nps, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], team, :drivers) AS nps_t,
                exlink.driver_weights(effort, ARRAY[engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance], team, :drivers) AS effort_t
           FROM released),
     models AS (
         SELECT 1 AS k, 'independent rows (cells)' AS kind, o.outcome,
                exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers, 'independent') AS m
           FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y)
         UNION ALL
         SELECT 2, 'by employee (cells)', o.outcome, exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)
           FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y)
         UNION ALL
         SELECT 3, 'by employee (rows)', o, m FROM rows_fit, LATERAL (VALUES ('csat', csat_e), ('nps', nps_e), ('effort', effort_e)) v(o, m)
         UNION ALL
         SELECT 4, 'by team (rows)', o, m FROM rows_fit, LATERAL (VALUES ('csat', csat_t), ('nps', nps_t), ('effort', effort_t)) v(o, m))
SELECT models.k, models.kind, models.outcome, d.name AS measure, d.beta, d.ci_low, d.ci_high, d.clusters
  FROM models, exlink.drivers(models.m) d;
SELECT p.outcome, p.measure, split_part(p.unit, ' ', 2) AS "per",
       round(p.effect_raw::numeric, 3) AS "planted", round(r.b::numeric, 3) AS "found",
       round(p.std_beta::numeric, 3) AS "beta planted", round(r.beta::numeric, 3) AS "beta found",
       round((r.beta - p.std_beta)::numeric, 3) AS diff,
       CASE WHEN abs(r.beta - p.std_beta) <= :tolerance THEN 'ok' ELSE 'OFF' END AS "within",
       '[' || to_char(t.ci_low, 'FM0.000') || ', ' || to_char(t.ci_high, 'FM0.000') || ']' AS "95% CI (by team)",
       CASE WHEN p.std_beta BETWEEN t.ci_low AND t.ci_high THEN 'yes' ELSE 'NO' END AS "covers"
  FROM truth.planted_effects p JOIN recovered r USING (outcome, measure)
  JOIN intervals t ON t.k = 4 AND t.outcome = p.outcome AND t.measure = p.measure
 ORDER BY array_position(ARRAY['csat', 'nps', 'effort'], p.outcome), p.ord;
SELECT count(*) FILTER (WHERE abs(r.beta - p.std_beta) <= :tolerance) || ' of ' || count(*)
       || ' planted effects recovered within ' || :tolerance
       || ' (max |diff| ' || round(max(abs(r.beta - p.std_beta))::numeric, 3) || ')' AS summary
  FROM truth.planted_effects p JOIN recovered r USING (outcome, measure);
\echo 'How many planted betas each kind of 95% interval covers (a right interval covers about 95%):'
SELECT i.kind AS "95% interval", max(i.clusters) AS "G",
       count(*) FILTER (WHERE p.std_beta BETWEEN i.ci_low AND i.ci_high) || ' of ' || count(*) AS "planted effects covered",
       round(avg(i.ci_high - i.ci_low)::numeric, 3) AS "mean width"
  FROM truth.planted_effects p JOIN intervals i USING (outcome, measure)
 GROUP BY i.k, i.kind ORDER BY i.k;
\echo 'Prioritization against the truth: the planted most important driver of each outcome (largest'
\echo '|planted beta|) and the probability exlink.driver_priority gave it (the analyst''s section 8):'
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave),
     pr AS (SELECT o.outcome, p.name AS measure, p.p_most_important, p.rank_low, p.rank_high
              FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
                   exlink.driver_priority(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) p),
     top AS (SELECT DISTINCT ON (outcome) outcome, measure, std_beta FROM truth.planted_effects
              ORDER BY outcome, abs(std_beta) DESC)
SELECT t.outcome, t.measure AS "planted first", round(t.std_beta::numeric, 3) AS "beta planted",
       round(pr.p_most_important::numeric, 3) AS "P(most important)", pr.rank_low || '-' || pr.rank_high AS "rank 95%"
  FROM top t JOIN pr USING (outcome, measure)
 ORDER BY array_position(ARRAY['csat', 'nps', 'effort'], t.outcome);
\echo 'CX scores share their employee and their team (planted employee and team effects), and the EX'
\echo 'measures share the team''s manager: intervals that assume independent rows are too narrow, those'
\echo 'clustered by employee account for the employee part, those clustered by team for both (150'
\echo 'teams).  The published cells carry employee-level summaries only, so team-clustered intervals'
\echo 'need the rows (the custodian''s, as above).'

\echo
\echo 'Exactness: the analyst merged cells without reading a row; the same figure on the raw linked'
\echo 'rows of the released cells (custodian, plain corr()) agrees to rounding:'
WITH released AS (
    SELECT l.* FROM link.linked l
      JOIN published.team_wave p ON p.team = l.team AND p.period = l.period)
SELECT round(corr(nps, enablement)::numeric, 12) AS "custodian: corr() on rows",
       round((SELECT (exlink.linked_correlation(exlink.merge(moments), 2, 5)).r FROM published.team_wave)::numeric, 12)
           AS "analyst: merged cells",
       count(*) AS "rows"
  FROM released;
\echo 'The guarded aggregates on the raw survey rows (custodian, the rows ex_cells uses) agree with'
\echo 'the published EX cells, and give NULL for a team x wave below k (members_at_least: false):'
WITH g AS (SELECT team, wave, exlink.members_at_least(pseudonym, NULL) AS at_least_k,
                  exlink.nps(enps_score, pseudonym) AS enps, exlink.guarded_avg(engagement, pseudonym) AS engagement
             FROM hr.ex_linkable
            WHERE num_nulls(engagement, enablement, manager_coaching, enps_score) = 0
            GROUP BY team, wave)
SELECT count(*) AS "team x wave", count(*) FILTER (WHERE g.enps IS NULL) AS "< k (NULL)",
       count(*) FILTER (WHERE at_least_k) AS ">= k", count(e.cell) AS published,
       CASE WHEN max(abs(g.enps - 100 * (e.mean_enps_promoter - e.mean_enps_detractor))) < 1e-9
            THEN 'exact' ELSE 'DIFFERS' END AS "published eNPS vs exlink.nps",
       CASE WHEN max(abs(g.engagement - e.mean_engagement)) < 1e-9
            THEN 'exact' ELSE 'DIFFERS' END AS "engagement vs exlink.guarded_avg"
  FROM g LEFT JOIN published.ex_cells e USING (team, wave);
\echo 'A cell with >= k members may still be withheld (complementary suppression): the withheld cells'
\echo 'must together cover >= k members, so that no small group is left by subtraction from a total.'

\ir demo_chart.sql
\echo
\echo 'Chart written to' :chart
