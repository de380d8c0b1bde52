-- exlink demo: deterministic synthetic EX/CX data with KNOWN planted effects.
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Creates, in the current database (run as a superuser; the roles must exist):
--   hr.employees        raw HR master data, incl. protected attributes (gender, birth_date)
--   hr.survey           EX survey waves: one row per responding employee and wave
--   hr.survey_waves     when each wave opened (a wave is "in force" until the next one opens)
--   cx.transactions     CX survey responses per transaction, with the raw ID of the employee
--                       who handled it and a timestamp
--   truth.planted_effects  the effects used to generate CX from EX (raw and standardized units)
--   truth.parameters       the parameters of this run
-- Schemas hr and cx are owned by :hr_owner and :cx_owner; truth by the caller (no grants).
-- WARNING: drops the schemas hr, cx and truth (CASCADE) of the current database first.
--
-- Parameters (psql variables, all optional):
--   seed (42), employees (2000), teams (150), regions (10), waves (3),
--   transactions (300000), start_date (2025-01-06), hr_owner (hr_owner), cx_owner (cx_owner)
--   e.g.  psql -v seed=7 -v transactions=50000 -f examples/generate.sql
--
-- Model.  Every random draw is a hash of (seed, stream, key) (hashint8extended), so the data do
-- not depend on plan, parallelism or row order: same parameters, same bytes.
--   EX: per employee and wave, six measures and a performance score built from a team factor
--   (manager quality, workload pressure), a persistent employee factor, a wave-specific factor
--   and unique parts, so the drivers correlate as real survey scales do.  About 7 % of employees
--   skip each wave.  Tenure is computed from the hire date at the wave's date.
--   CX: each transaction takes the EX record IN FORCE at its time: the employee's latest survey
--   response with a wave opened at or before the transaction (the as-of join of the demo).
--   Expected outcome  mu = intercept + sum_j effect_j * (x_j - centre_j) + team effect
--                          + employee effect + transaction noise
--   and the observed score is a binomial count with exactly that mean (csat = 1 + Bin(4, p),
--   nps = Bin(10, p), effort = 1 + Bin(6, p)), so E[score | EX] is linear in the EX measures
--   and OLS of the score on the measures recovers effect_j (up to sampling error; see
--   truth.planted_effects.std_beta for the standardized value on the linked rows).
--   Team and employee CX effects are independent of EX (no confounding by design).
--   performance has a planted effect of 0 on every outcome but correlates with engagement.
\set ON_ERROR_STOP on
\if :{?seed}         \else \set seed 42 \endif
\if :{?employees}    \else \set employees 2000 \endif
\if :{?teams}        \else \set teams 150 \endif
\if :{?regions}      \else \set regions 10 \endif
\if :{?waves}        \else \set waves 3 \endif
\if :{?transactions} \else \set transactions 300000 \endif
\if :{?start_date}   \else \set start_date 2025-01-06 \endif
\if :{?hr_owner}     \else \set hr_owner hr_owner \endif
\if :{?cx_owner}     \else \set cx_owner cx_owner \endif

SET client_min_messages = warning;
BEGIN;
DROP SCHEMA IF EXISTS hr CASCADE;
DROP SCHEMA IF EXISTS cx CASCADE;
DROP SCHEMA IF EXISTS truth CASCADE;
CREATE SCHEMA hr AUTHORIZATION :"hr_owner";
CREATE SCHEMA cx AUTHORIZATION :"cx_owner";
CREATE SCHEMA truth;
REVOKE ALL ON SCHEMA truth FROM PUBLIC;

-- u(key, stream): uniform on (0, 1); z(key, stream): standard normal (Box-Muller on streams
-- s and s + 1).  The seed is baked into the function body so the planner can inline it.
SELECT format($f$CREATE FUNCTION pg_temp.u(k bigint, s int) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT (((pg_catalog.hashint8extended(k, %s::bigint * 65536 + s) >> 11)
                 & 9007199254740991)::float8 + 0.5) / 9007199254740992.0'$f$, :seed::bigint) \gexec
CREATE FUNCTION pg_temp.z(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT pg_catalog.sqrt(-2 * pg_catalog.ln(pg_temp.u(k, s)))
               * pg_catalog.cos(2 * pg_catalog.pi() * pg_temp.u(k, s + 1))';
CREATE FUNCTION pg_temp.clamp(x float8, lo float8, hi float8) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT least(hi, greatest(lo, x))';
-- Binomial(n, p) as a sum of n Bernoulli draws on streams s, s+1, ...
CREATE FUNCTION pg_temp.binom(k bigint, s int, n int, p float8) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT count(*)::int FROM pg_catalog.generate_series(1, n) i WHERE pg_temp.u(k, s + i) < p';

CREATE TABLE truth.parameters AS
SELECT :seed::bigint AS seed, :employees::int AS employees_target, :teams::int AS teams,
       :regions::int AS regions, :waves::int AS waves, :transactions::bigint AS transactions,
       :'start_date'::date AS start_date, 364 AS days;

-- ---------------------------------------------------------------------------------------------
-- Organisation: regions > teams > employees.  About one team in 12 has 2-4 employees (too small
-- to publish at k = 5); the others have 5 to ~30, scaled so the total is close to :employees.
CREATE TEMP TABLE g_team AS
WITH raw AS (
    SELECT t,
           1 + (t - 1) % :regions AS region_no,
           t % 12 = 6 AS small,
           CASE WHEN t % 12 = 6 THEN 2 + (t / 12) % 3
                ELSE 6 + floor(pg_temp.u(t, 1) * 22) END AS raw_size
      FROM generate_series(1, :teams) t
), scale AS (
    SELECT (:employees - sum(raw_size) FILTER (WHERE small))::float8
           / sum(raw_size) FILTER (WHERE NOT small) AS f
      FROM raw
)
SELECT t, region_no,
       coalesce((ARRAY['North', 'South', 'East', 'West', 'Central', 'Coast', 'Highlands',
                       'Lakes', 'Metro', 'Valley'])[region_no], 'Region ' || region_no) AS region,
       CASE WHEN small THEN raw_size::int
            ELSE greatest(5, round(raw_size * f))::int END AS size,
       pg_temp.z(t, 10) AS mgr,          -- manager quality (drives coaching, all EX a little)
       pg_temp.z(t, 12) AS load,         -- workload pressure
       pg_temp.z(t, 14) AS cx_csat,      -- team CX effects, independent of EX
       pg_temp.z(t, 16) AS cx_nps,
       pg_temp.z(t, 18) AS cx_effort
  FROM raw, scale;
ALTER TABLE g_team ADD COLUMN team text;
UPDATE g_team SET team = upper(left(region, 3)) || '-' || lpad(t::text, 3, '0');

CREATE TEMP TABLE g_emp AS
SELECT e, t, 'E' || (10000 + e) AS employee_id,
       pg_temp.z(e, 20) AS persist,      -- persistent employee EX factor
       pg_temp.z(e, 22) AS cx_csat, pg_temp.z(e, 24) AS cx_nps, pg_temp.z(e, 26) AS cx_effort,
       pg_temp.u(e, 28) AS ug, pg_temp.u(e, 29) AS ub, pg_temp.u(e, 30) AS uh
  FROM (SELECT t, size, sum(size) OVER (ORDER BY t) - size AS first FROM g_team) s,
       LATERAL generate_series(first + 1, first + size) e;

CREATE TABLE hr.survey_waves AS
SELECT w AS wave, (:'start_date'::date + (w - 1) * (365 / :waves)) AS opened_on
  FROM generate_series(1, :waves) w;
ALTER TABLE hr.survey_waves ADD PRIMARY KEY (wave);

CREATE TABLE hr.employees AS
SELECT g_emp.employee_id, g_team.team, g_team.region,
       CASE WHEN ug < 0.49 THEN 'female' WHEN ug < 0.98 THEN 'male' ELSE 'non-binary' END AS gender,
       (:'start_date'::date - (365.25 * (21 + 42 * power(ub, 1.2)))::int) AS birth_date,
       (:'start_date'::date - (365.25 * least(-4.5 * ln(uh), 19 + 20 * ub))::int) AS hire_date
  FROM g_emp JOIN g_team USING (t)
 ORDER BY e;
ALTER TABLE hr.employees ADD PRIMARY KEY (employee_id);

-- ---------------------------------------------------------------------------------------------
-- EX survey.  Latent F = general experience (team manager 0.45, persistent 0.55, wave 0.70);
-- each measure = its loading on F (or a team factor) + a unique part (persistent 0.6, wave 0.8).
CREATE TEMP TABLE g_survey AS
WITH base AS (
    SELECT e.e, e.t, e.employee_id, w.wave, w.opened_on,
           0.45 * tm.mgr + 0.55 * e.persist + 0.7036 * pg_temp.z(e.e * 16 + w.wave, 40) AS f,
           tm.mgr, tm.load, h.hire_date,
           k AS key
      FROM g_emp e
      JOIN g_team tm USING (t)
      JOIN hr.employees h USING (employee_id)
      CROSS JOIN hr.survey_waves w
      CROSS JOIN LATERAL (SELECT e.e * 16 + w.wave AS k) kk
     WHERE pg_temp.u(e.e * 16 + w.wave, 42) > 0.07            -- ~7 % skip a wave
), uniq AS (
    SELECT b.*,
           0.6 * pg_temp.z(e, 50) + 0.8 * pg_temp.z(key, 60) AS q_eng,
           0.6 * pg_temp.z(e, 52) + 0.8 * pg_temp.z(key, 62) AS q_ena,
           0.6 * pg_temp.z(e, 54) + 0.8 * pg_temp.z(key, 64) AS q_coa,
           0.6 * pg_temp.z(e, 56) + 0.8 * pg_temp.z(key, 66) AS q_trn,
           0.6 * pg_temp.z(e, 58) + 0.8 * pg_temp.z(key, 68) AS q_wl,
           0.6 * pg_temp.z(e, 70) + 0.8 * pg_temp.z(key, 72) AS q_perf,
           pg_temp.z(key, 74) AS q_enps
      FROM base b
), lat AS (
    SELECT u.*, 0.75 * f + 0.661 * q_eng AS z_eng FROM uniq u
)
SELECT e, t, employee_id, wave, opened_on,
       pg_temp.clamp(round((3.7 + 0.65 * z_eng)::numeric, 1), 1, 5) AS engagement,
       pg_temp.clamp(round((3.5 + 0.70 * (0.5 * f + 0.866 * q_ena))::numeric, 1), 1, 5) AS enablement,
       pg_temp.clamp(round((3.4 + 0.75 * (0.6 * mgr + 0.3 * f + 0.742 * q_coa))::numeric, 1), 1, 5) AS manager_coaching,
       greatest(0, round(14 + 7 * (0.3 * f + 0.954 * q_trn)))::float8 AS training_hours,
       round(((opened_on - hire_date) / 365.25)::numeric, 1)::float8 AS tenure_years,
       pg_temp.clamp(round((3.0 + 0.75 * (0.5 * load - 0.3 * f + 0.81 * q_wl))::numeric, 1), 1, 5) AS workload,
       pg_temp.clamp(round(70 + 9 * (0.55 * z_eng + 0.835 * q_perf)), 0, 100) AS performance,
       pg_temp.clamp(round(7 + 1.8 * (0.8 * z_eng + 0.6 * q_enps)), 0, 10) AS enps_score
  FROM lat;

CREATE TABLE hr.survey AS
SELECT employee_id, wave, engagement, enablement, manager_coaching, training_hours,
       tenure_years, workload, performance, enps_score::int AS enps_score
  FROM g_survey ORDER BY e, wave;
ALTER TABLE hr.survey ADD PRIMARY KEY (employee_id, wave);

-- ---------------------------------------------------------------------------------------------
-- Planted truth: raw effect of one unit of each EX measure on each CX outcome's expected score.
CREATE TABLE truth.planted_effects (
    outcome text, measure text, ord int, effect_raw float8, unit text,
    centre float8, sd_x float8, effect_per_sd float8, sd_y float8, std_beta float8,
    PRIMARY KEY (outcome, measure));
INSERT INTO truth.planted_effects (outcome, measure, ord, effect_raw, unit)
SELECT o, m, ord, v, u
  FROM (VALUES
    ('csat', 'engagement',        1,  0.200, 'per point (1-5)'),
    ('csat', 'enablement',        2,  0.150, 'per point (1-5)'),
    ('csat', 'manager_coaching',  3,  0.100, 'per point (1-5)'),
    ('csat', 'training_hours',    4,  0.005, 'per hour'),
    ('csat', 'tenure_years',      5,  0.012, 'per year'),
    ('csat', 'workload',          6, -0.100, 'per point (1-5)'),
    ('csat', 'performance',       7,  0.000, 'per point (0-100)'),
    ('nps',  'engagement',        1,  0.450, 'per point (1-5)'),
    ('nps',  'enablement',        2,  0.500, 'per point (1-5)'),
    ('nps',  'manager_coaching',  3,  0.200, 'per point (1-5)'),
    ('nps',  'training_hours',    4,  0.010, 'per hour'),
    ('nps',  'tenure_years',      5,  0.020, 'per year'),
    ('nps',  'workload',          6, -0.250, 'per point (1-5)'),
    ('nps',  'performance',       7,  0.000, 'per point (0-100)'),
    ('effort', 'engagement',      1, -0.050, 'per point (1-5)'),
    ('effort', 'enablement',      2, -0.350, 'per point (1-5)'),
    ('effort', 'manager_coaching', 3, -0.050, 'per point (1-5)'),
    ('effort', 'training_hours',  4, -0.015, 'per hour'),
    ('effort', 'tenure_years',    5, -0.010, 'per year'),
    ('effort', 'workload',        6,  0.200, 'per point (1-5)'),
    ('effort', 'performance',     7,  0.000, 'per point (0-100)')) v(o, m, ord, v, u);

-- Centres: the mean of each measure over all survey responses.
UPDATE truth.planted_effects p SET centre = c.centre
  FROM (SELECT 'engagement' AS measure, avg(engagement) AS centre FROM g_survey
        UNION ALL SELECT 'enablement', avg(enablement) FROM g_survey
        UNION ALL SELECT 'manager_coaching', avg(manager_coaching) FROM g_survey
        UNION ALL SELECT 'training_hours', avg(training_hours) FROM g_survey
        UNION ALL SELECT 'tenure_years', avg(tenure_years) FROM g_survey
        UNION ALL SELECT 'workload', avg(workload) FROM g_survey
        UNION ALL SELECT 'performance', avg(performance) FROM g_survey) c
 WHERE c.measure = p.measure;

-- Linear predictor of each outcome per survey record (without intercept and noise).
CREATE TEMP TABLE g_lp AS
SELECT s.e, s.wave,
       sum(p.effect_raw * (CASE p.measure
             WHEN 'engagement' THEN s.engagement WHEN 'enablement' THEN s.enablement
             WHEN 'manager_coaching' THEN s.manager_coaching WHEN 'training_hours' THEN s.training_hours
             WHEN 'tenure_years' THEN s.tenure_years WHEN 'workload' THEN s.workload
             ELSE s.performance END - p.centre)) FILTER (WHERE p.outcome = 'csat') AS lp_csat,
       sum(p.effect_raw * (CASE p.measure
             WHEN 'engagement' THEN s.engagement WHEN 'enablement' THEN s.enablement
             WHEN 'manager_coaching' THEN s.manager_coaching WHEN 'training_hours' THEN s.training_hours
             WHEN 'tenure_years' THEN s.tenure_years WHEN 'workload' THEN s.workload
             ELSE s.performance END - p.centre)) FILTER (WHERE p.outcome = 'nps') AS lp_nps,
       sum(p.effect_raw * (CASE p.measure
             WHEN 'engagement' THEN s.engagement WHEN 'enablement' THEN s.enablement
             WHEN 'manager_coaching' THEN s.manager_coaching WHEN 'training_hours' THEN s.training_hours
             WHEN 'tenure_years' THEN s.tenure_years WHEN 'workload' THEN s.workload
             ELSE s.performance END - p.centre)) FILTER (WHERE p.outcome = 'effort') AS lp_effort
  FROM g_survey s CROSS JOIN truth.planted_effects p
 GROUP BY s.e, s.wave;

-- The record in force per employee and wave period: the latest response at or before it.
CREATE TEMP TABLE g_force AS
SELECT e.e, w.wave AS period,
       (SELECT max(s.wave) FROM g_survey s WHERE s.e = e.e AND s.wave <= w.wave) AS ex_wave
  FROM g_emp e CROSS JOIN hr.survey_waves w;

ANALYZE g_team, g_emp, g_survey, g_lp, g_force;

-- ---------------------------------------------------------------------------------------------
-- CX transactions.  Employees handle transactions uniformly at random over the year.
CREATE TEMP TABLE g_tx AS
SELECT i, 1 + floor(pg_temp.u(i, 100) * (SELECT count(*) FROM g_emp))::int AS e,
       (:'start_date'::date + make_interval(secs => round(pg_temp.u(i, 102) * 364 * 86400)))::timestamptz AS handled_at,
       (ARRAY['phone', 'chat', 'email', 'store'])[1 + floor(pg_temp.u(i, 104) * 4)::int] AS channel
  FROM generate_series(1, :transactions) i;

CREATE TABLE cx.transactions AS
WITH x AS (
    SELECT tx.*, em.employee_id,
           least(:waves, 1 + ((tx.handled_at::date - :'start_date'::date) / (365 / :waves))) AS period,
           tm.cx_csat AS t_csat, tm.cx_nps AS t_nps, tm.cx_effort AS t_effort,
           em.cx_csat AS e_csat, em.cx_nps AS e_nps, em.cx_effort AS e_effort
      FROM g_tx tx JOIN g_emp em USING (e) JOIN g_team tm USING (t)
), mu AS (
    SELECT x.*,
           3.95 + coalesce(lp.lp_csat, 0)   + 0.06 * t_csat   + 0.08 * e_csat   + 0.15 * pg_temp.z(i, 110) AS mu_csat,
           7.60 + coalesce(lp.lp_nps, 0)    + 0.15 * t_nps    + 0.20 * e_nps    + 0.30 * pg_temp.z(i, 112) AS mu_nps,
           3.00 + coalesce(lp.lp_effort, 0) + 0.10 * t_effort + 0.10 * e_effort + 0.20 * pg_temp.z(i, 114) AS mu_effort
      FROM x
      JOIN g_force f ON f.e = x.e AND f.period = x.period
      LEFT JOIN g_lp lp ON lp.e = x.e AND lp.wave = f.ex_wave
)
SELECT i AS transaction_id, employee_id AS handled_by, handled_at, channel,
       (1 + pg_temp.binom(i, 120, 4, pg_temp.clamp((mu_csat - 1) / 4, 0, 1)))::smallint AS csat,
       pg_temp.binom(i, 140, 10, pg_temp.clamp(mu_nps / 10, 0, 1))::smallint AS nps,
       (1 + pg_temp.binom(i, 160, 6, pg_temp.clamp((mu_effort - 1) / 6, 0, 1)))::smallint AS effort
  FROM mu
 ORDER BY i;
ALTER TABLE cx.transactions ADD PRIMARY KEY (transaction_id);

-- ---------------------------------------------------------------------------------------------
-- Standardized planted effects on the linked rows (transactions with an EX record in force):
-- std_beta = effect_raw * sd(x) / sd(y), the figure a regression on standardized data recovers.
CREATE TEMP TABLE g_linked AS
SELECT t.csat, t.nps, t.effort, s.engagement, s.enablement, s.manager_coaching, s.training_hours,
       s.tenure_years, s.workload, s.performance
  FROM cx.transactions t
  JOIN g_emp em ON em.employee_id = t.handled_by
  JOIN g_force f ON f.e = em.e
       AND f.period = least(:waves, 1 + ((t.handled_at::date - :'start_date'::date) / (365 / :waves)))
  JOIN g_survey s ON s.e = em.e AND s.wave = f.ex_wave;

UPDATE truth.planted_effects p
   SET sd_x = s.sd_x, sd_y = s.sd_y, effect_per_sd = p.effect_raw * s.sd_x,
       std_beta = p.effect_raw * s.sd_x / s.sd_y
  FROM (SELECT o.outcome, m.measure, stddev_samp(m.x) AS sd_x, stddev_samp(o.y) AS sd_y
          FROM g_linked l
         CROSS JOIN LATERAL (VALUES ('engagement', l.engagement), ('enablement', l.enablement),
                 ('manager_coaching', l.manager_coaching), ('training_hours', l.training_hours),
                 ('tenure_years', l.tenure_years), ('workload', l.workload),
                 ('performance', l.performance)) m(measure, x)
         CROSS JOIN LATERAL (VALUES ('csat', l.csat::float8), ('nps', l.nps::float8),
                 ('effort', l.effort::float8)) o(outcome, y)
         GROUP BY o.outcome, m.measure) s
 WHERE s.outcome = p.outcome AND s.measure = p.measure;

COMMENT ON TABLE truth.planted_effects IS
    'Planted truth of the synthetic data: effect_raw = change of the expected CX score per unit of the EX measure; std_beta = effect_raw * sd(x) / sd(y) on the linked rows.';

-- Owners.
ALTER TABLE hr.employees OWNER TO :"hr_owner";
ALTER TABLE hr.survey OWNER TO :"hr_owner";
ALTER TABLE hr.survey_waves OWNER TO :"hr_owner";
ALTER TABLE cx.transactions OWNER TO :"cx_owner";
COMMIT;
ANALYZE hr.employees, hr.survey, hr.survey_waves, cx.transactions;
RESET client_min_messages;
