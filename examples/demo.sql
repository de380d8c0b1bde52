-- exlink demo: the whole owner -> custodian -> analyst workflow on synthetic data with planted
-- effects.  Run by `make demo` (tools/run-demo.sh) as a superuser in a throwaway cluster; it is
-- idempotent (drops and recreates its database and roles).
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- WARNING: it drops and recreates the database exlink_demo and the roles exlink_admin, hr_owner,
-- cx_owner and analyst: run it only in a throwaway cluster (as `make demo` does).
--
-- Every figure the analyst sees comes from exlink functions over published cells:
-- exlink.create_key/pseudonymize (3), exlink.publish + REFRESH ... CONCURRENTLY (5),
-- exlink.linked_correlation (7), exlink.subset + exlink.driver_weights/drivers (8).  The
-- operator's final check uses the same functions, and exlink.nps/guarded_avg/members_at_least.
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
-- exlink.publish: CX cells (region x team x period, from the linked rows) and EX cells (team x
-- wave, from the survey), each a materialized view of released cells only (k baked in, protected
-- columns refused, a unique index for REFRESH ... CONCURRENTLY, registered in
-- exlink.publications), joined by a plain view for the analyst.  One grain per source: a second,
-- overlapping grain would let an analyst subtract cells.
CREATE SCHEMA published AUTHORIZATION exlink_admin;
GRANT USAGE ON SCHEMA published TO analyst;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean)
    TO exlink_admin;
GRANT SELECT, INSERT, DELETE ON exlink.publications TO exlink_admin;
CREATE FUNCTION pg_temp.attempt(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ALLOWED';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SET ROLE exlink_admin;
SELECT exlink.publish('published.cx_cells', 'link.linked', 'pseudonym', '{region,team,period}',
                      '{csat,nps,effort,engagement,enablement,manager_coaching,training_hours,tenure_years,workload,performance,nps_promoter,nps_detractor}',
                      grant_to => '{analyst}') AS cx_publication \gset
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
SELECT c.region, c.team, c.period AS wave, c.responses AS transactions, c.members AS handlers,
       round(c.mean_csat::numeric, 3) AS csat, round(c.mean_nps::numeric, 3) AS nps,
       round(c.mean_effort::numeric, 3) AS effort,
       round((100 * (c.mean_nps_promoter - c.mean_nps_detractor))::numeric, 1) AS nps_score,
       e.members AS respondents,
       round((100 * (e.mean_enps_promoter - e.mean_enps_detractor))::numeric, 1) AS enps,
       round(e.mean_engagement::numeric, 3) AS engagement, round(e.mean_enablement::numeric, 3) AS enablement,
       round(e.mean_manager_coaching::numeric, 3) AS manager_coaching,
       c.moments
  FROM published.cx_cells c JOIN published.ex_cells e ON e.team = c.team AND e.wave = c.period;
REVOKE ALL ON published.team_wave FROM PUBLIC;
GRANT SELECT ON published.team_wave TO analyst;
RESET ROLE;

\echo 'Nightly load: the custodian links the last four weeks of transactions; the published cells'
\echo 'change only when their owner refreshes them, with REFRESH MATERIALIZED VIEW CONCURRENTLY'
\echo '(analysts keep reading meanwhile; pg_cron would schedule it, see docs/bi-and-scheduling.md).'
CREATE TEMP TABLE before_refresh AS
SELECT 'published.cx_cells' AS publication, count(*) AS cells, sum(responses) AS "rows" FROM published.cx_cells
UNION ALL
SELECT 'published.ex_cells', count(*), sum(responses) FROM published.ex_cells;
SET ROLE exlink_admin;
INSERT INTO link.linked SELECT * FROM link.as_of WHERE handled_at >= :'late_from';
ANALYZE link.linked;
REFRESH MATERIALIZED VIEW CONCURRENTLY published.cx_cells;
REFRESH MATERIALIZED VIEW CONCURRENTLY published.ex_cells;
RESET ROLE;
SELECT count(*) AS linked_total, count(*) FILTER (WHERE handled_at >= :'late_from') AS linked_late,
       (SELECT count(*) FROM cx.transactions) - count(*) AS dropped_total
  FROM link.linked \gset
\echo 'link.linked: +':linked_late 'transactions, now' :linked_total '(':dropped_total 'without an EX record in force);'
\echo 'REFRESH MATERIALIZED VIEW CONCURRENTLY published.cx_cells, published.ex_cells (as exlink_admin):'
SELECT b.publication, b.cells AS "cells before", a.cells AS "cells after",
       b."rows" AS "rows before", a."rows" AS "rows after"
  FROM before_refresh b
  JOIN (SELECT 'published.cx_cells' AS publication, count(*) AS cells, sum(responses) AS "rows" FROM published.cx_cells
        UNION ALL
        SELECT 'published.ex_cells', count(*), sum(responses) FROM published.ex_cells) a USING (publication)
 ORDER BY 1;

SELECT team AS small_team FROM hr.employees GROUP BY team ORDER BY count(*), team COLLATE "C" LIMIT 1 \gset
SELECT count(*) AS "team x wave cells", count(*) FILTER (WHERE released) AS "released (CX and EX)",
       count(*) FILTER (WHERE NOT released) AS withheld,
       count(DISTINCT team) FILTER (WHERE released) AS "teams with a released cell"
  FROM (SELECT l.team, l.period, EXISTS (SELECT 1 FROM published.team_wave p
                                          WHERE p.team = l.team AND p.wave = l.period) AS released
          FROM (SELECT DISTINCT team, period FROM link.linked) l) s;

\echo
\echo '==================================================================================='
\echo ' Connected as the ANALYST from here on: only published.team_wave is readable'
\echo '==================================================================================='
\c - analyst
SET client_min_messages = warning;
\echo
\echo '--- 6. What the analyst sees: released cells (first rows; moments column omitted) ---'
SELECT team, wave, transactions, handlers, csat, nps, effort, nps_score, respondents, enps
  FROM published.team_wave ORDER BY team COLLATE "C", wave LIMIT 6;

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
\echo 'Per region (merged cells of each region): r(nps, enablement) with 95% CI and p; r(csat, engagement)'
SELECT region, cells, (c).n, round((c).r::numeric, 3) AS "r(nps, enablement)",
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
       round(d.beta_se::numeric, 3) AS se, CASE WHEN d.p_value < 1e-16 THEN '< 1e-16' ELSE trim(to_char(d.p_value, '9.9EEEE')) END AS p,
       round(d.relative_weight_share::numeric, 1) AS "RW % of R2", round(d.lmg_share::numeric, 1) AS "LMG % of R2",
       round(d.r2::numeric, 3) AS "R2"
  FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
       exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d
 ORDER BY o.y, d.rank, d.name COLLATE "C";
\echo 'se and p treat transactions as independent; they cluster in 2,000 employees and 150 teams, so'
\echo 'the real uncertainty is larger (compare the planted betas at the end).'
\echo 'performance: beta ~ 0 (p large), as planted; LMG and RW still give it a few % of R2 through'
\echo 'its correlation with engagement (shares split explained variance, they do not test effects).'
\echo
\echo 'Top 3 drivers of NPS per region (Shapley/LMG share of R2)'
WITH c AS (SELECT region, exlink.merge(moments) AS m FROM published.team_wave GROUP BY region)
SELECT c.region, round(max(d.r2)::numeric, 3) AS "R2",
       string_agg(d.name || ' ' || round(d.lmg_share::numeric) || '%', ', ' ORDER BY d.rank, d.name COLLATE "C")
           FILTER (WHERE d.rank <= 3) AS "top drivers (LMG share of R2)"
  FROM c, exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[2, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d
 GROUP BY c.region ORDER BY c.region COLLATE "C";

\echo
\echo '--- 9. eNPS (employees) vs NPS (customers) by team, last wave; small teams absent --'
-- eNPS and NPS = 100 x (mean promoter - mean detractor indicator) of a released cell, i.e. what
-- exlink.nps(score, member) gives on the cell's rows (checked by the operator at the end).
SELECT team, respondents, enps AS "eNPS", handlers, nps_score AS "NPS", transactions
  FROM published.team_wave WHERE wave = 3
 ORDER BY enps DESC, team COLLATE "C" LIMIT 5;
SELECT count(*) AS teams, round(corr(enps, nps_score)::numeric, 3) AS "r(eNPS, NPS) across teams"
  FROM published.team_wave WHERE wave = 3;
SELECT :'small_team' AS "smallest team", count(*) AS "published cells", 'suppressed: below k' AS why
  FROM published.team_wave WHERE team = :'small_team';

\echo
\echo '--- 10. Cross-lagged view (team cells): does EX lead CX, or CX lead EX? ------------'
-- EX index = mean of engagement, enablement and manager coaching (team means of respondents).
-- partial r = the lagged correlation given the earlier level (at t) of the later variable.
WITH c AS (SELECT team, wave, (engagement + enablement + manager_coaching) / 3 AS ex, nps AS cx
             FROM published.team_wave),
     p AS (SELECT a.ex AS ex0, a.cx AS cx0, b.ex AS ex1, b.cx AS cx1
             FROM c a JOIN c b ON b.team = a.team AND b.wave = a.wave + 1),
     r AS (SELECT count(*) AS pairs, corr(ex0, cx1) AS ex_cx, corr(cx0, ex1) AS cx_ex,
                  corr(cx0, cx1) AS cx_cx, corr(ex0, ex1) AS ex_ex, corr(ex0, cx0) AS ex_cx0
             FROM p)
SELECT 'EX wave t -> CX (NPS) period t+1' AS path, pairs,
       round(ex_cx::numeric, 3) AS "lagged r",
       round(((ex_cx - ex_cx0 * cx_cx) / sqrt((1 - ex_cx0 ^ 2) * (1 - cx_cx ^ 2)))::numeric, 3) AS "partial r, given the target at t"
  FROM r
UNION ALL
SELECT 'CX (NPS) period t -> EX wave t+1', pairs, round(cx_ex::numeric, 3),
       round(((cx_ex - ex_cx0 * ex_ex) / sqrt((1 - ex_cx0 ^ 2) * (1 - ex_ex ^ 2)))::numeric, 3)
  FROM r;

\echo 'Read: both lagged r are high because teams are stable; controlling for the earlier level of'
\echo 'the target, EX predicts later CX, while CX does not predict later EX: the flow is EX -> CX.'

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
    (9, 'refresh the publication', 'REFRESH MATERIALIZED VIEW CONCURRENTLY published.cx_cells')) v(i, what, q)
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
SELECT o.outcome, d.name AS measure, d.beta, d.beta * sqrt(sy.ss / sx.ss) AS b, d.lmg_share, d.r2
  FROM c, (VALUES ('csat', 1), ('nps', 2), ('effort', 3)) o(outcome, y),
       exlink.drivers(exlink.driver_weights(exlink.subset(c.m, ARRAY[o.y, 4, 5, 6, 7, 8, 9, 10]), :drivers)) d,
       ss sy, ss sx
 WHERE sy.i = o.y AND sx.i = d.ordinal + 3;
SELECT p.outcome, p.measure, split_part(p.unit, ' ', 2) AS "per",
       round(p.effect_raw::numeric, 3) AS "planted", round(r.b::numeric, 3) AS "found",
       round(p.std_beta::numeric, 3) AS "beta planted", round(r.beta::numeric, 3) AS "beta found",
       round((r.beta - p.std_beta)::numeric, 3) AS diff,
       CASE WHEN abs(r.beta - p.std_beta) <= :tolerance THEN 'ok' ELSE 'OFF' END AS "within"
  FROM truth.planted_effects p JOIN recovered r USING (outcome, measure)
 ORDER BY array_position(ARRAY['csat', 'nps', 'effort'], p.outcome), p.ord;
SELECT count(*) FILTER (WHERE abs(r.beta - p.std_beta) <= :tolerance) || ' of ' || count(*)
       || ' planted effects recovered within ' || :tolerance
       || ' (max |diff| ' || round(max(abs(r.beta - p.std_beta))::numeric, 3) || ')' AS summary
  FROM truth.planted_effects p JOIN recovered r USING (outcome, measure);

\echo
\echo 'Exactness: the analyst merged cells without reading a row; the same figure on the raw linked'
\echo 'rows of the released cells (custodian, plain corr()) agrees to rounding:'
WITH released AS (
    SELECT l.* FROM link.linked l
      JOIN published.team_wave p ON p.team = l.team AND p.wave = l.period)
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
