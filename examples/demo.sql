-- exlink demo: the whole owner -> custodian -> analyst workflow on synthetic data with planted
-- effects.  Run by `make demo` (tools/run-demo.sh) as a superuser in a throwaway cluster; it is
-- idempotent (drops and recreates its database and roles).
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- WARNING: it drops and recreates the database exlink_demo and the roles exlink_admin, hr_owner,
-- cx_owner and analyst: run it only in a throwaway cluster (as `make demo` does).
--
-- Steps marked "STAND-IN" use plain SQL/pgcrypto until the corresponding exlink function lands;
-- the intended call is in the comment "LATER:" next to each (issues 3-6).
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
-- exlink.pseudonymize (issue 3) is used when the installed extension has it; otherwise a
-- STAND-IN: the custodian keeps the key in a private table and exposes the documented pgcrypto
-- equivalent encode(hmac(convert_to(id, 'UTF8'), key, 'sha256'), 'hex') through a SECURITY
-- DEFINER function of the same signature.  Either way the owners call :pseudonymize(id, domain).
SELECT to_regprocedure('exlink.pseudonymize(text,text)') IS NOT NULL
       AND to_regprocedure('exlink.create_key(text,bytea)') IS NOT NULL AS have_pseudonymize \gset
\if :have_pseudonymize
\set pseudonymize exlink.pseudonymize
\set keytable exlink.pseudonym_keys
GRANT EXECUTE ON FUNCTION exlink.create_key(text, bytea) TO exlink_admin;
GRANT EXECUTE ON FUNCTION exlink.pseudonymize(text, text) TO hr_owner, cx_owner;
SET ROLE exlink_admin;
SELECT exlink.create_key('linkage-2026') AS key_version \gset
RESET ROLE;
\else
\set pseudonymize custody.pseudonymize
\set keytable custody.keys
CREATE SCHEMA custody AUTHORIZATION exlink_admin;
REVOKE ALL ON SCHEMA custody FROM PUBLIC;
GRANT USAGE ON SCHEMA custody TO hr_owner, cx_owner;
SET ROLE exlink_admin;
CREATE TABLE custody.keys (domain text PRIMARY KEY, key bytea NOT NULL);
INSERT INTO custody.keys VALUES ('linkage-2026', public.gen_random_bytes(32));
CREATE FUNCTION custody.pseudonymize(id text, domain text) RETURNS text
    LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.encode(public.hmac(pg_catalog.convert_to(id, 'UTF8'), k.key, 'sha256'), 'hex')
            FROM custody.keys k WHERE k.domain = pseudonymize.domain $$;
REVOKE ALL ON FUNCTION custody.pseudonymize(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION custody.pseudonymize(text, text) TO hr_owner, cx_owner;
RESET ROLE;
\endif
\echo 'owners pseudonymize with' :pseudonymize'(id, ''linkage-2026''); the key stays in' :keytable

-- HR owner: a linkable extract with pseudonyms, team and region, no protected attributes.
SET ROLE hr_owner;
CREATE TABLE hr.ex_linkable AS
SELECT :pseudonymize(s.employee_id, 'linkage-2026') AS pseudonym,
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
WITH p AS (SELECT handled_by, :pseudonymize(handled_by, 'linkage-2026') AS pseudonym
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
CREATE SCHEMA link AUTHORIZATION exlink_admin;
REVOKE ALL ON SCHEMA link FROM PUBLIC;
SET ROLE exlink_admin;
CREATE TABLE link.linked AS
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
ANALYZE link.linked;
-- The EX side per employee and wave (for respondents, eNPS and EX means per cell).
CREATE TABLE link.ex_waves AS
SELECT pseudonym, team, wave, engagement, enablement, manager_coaching,
       (enps_score >= 9)::int::float8 AS enps_promoter, (enps_score <= 6)::int::float8 AS enps_detractor
  FROM hr.ex_linkable;
RESET ROLE;
SELECT count(*) AS "linked transactions",
       (SELECT count(*) FROM cx.transactions) - count(*) AS "no EX record in force (dropped)",
       count(*) FILTER (WHERE ex_wave < period) AS "carried from an earlier wave",
       count(DISTINCT pseudonym) AS employees
  FROM link.linked;

\echo
\echo '--- 5. Publication (custodian): one grain, team x wave, only cells with >= k employees'
-- exlink.publish (issue 6) is used when the installed extension has it: two publications, CX
-- cells (region x team x period, from the linked rows) and EX cells (team x wave, from the
-- survey), each a materialized view of released cells only (k baked in, complementary
-- suppression, protected columns refused, registry), joined by a plain view for the analyst.
-- Otherwise a STAND-IN builds the same published.team_wave by hand: a materialized view of
-- released cells only, k baked in (the third argument of the guarded exlink.moments), a
-- unique index for REFRESH ... CONCURRENTLY.  One grain per source: a second, overlapping grain
-- would let an analyst subtract cells.
CREATE SCHEMA published AUTHORIZATION exlink_admin;
GRANT USAGE ON SCHEMA published TO analyst;
SELECT to_regprocedure('exlink.publish(text,regclass,name,name[],name[],name[],integer,boolean,boolean,boolean)')
       IS NOT NULL AS have_publish \gset
\if :have_publish
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean)
    TO exlink_admin;
GRANT SELECT, INSERT, DELETE ON exlink.publications TO exlink_admin;
SET ROLE exlink_admin;
SELECT exlink.publish('published.cx_cells', 'link.linked', 'pseudonym', '{region,team,period}',
                      '{csat,nps,effort,engagement,enablement,manager_coaching,training_hours,tenure_years,workload,performance,nps_promoter,nps_detractor}',
                      grant_to => '{analyst}') AS "published (CX cells)";
SELECT exlink.publish('published.ex_cells', 'link.ex_waves', 'pseudonym', '{team,wave}',
                      '{engagement,enablement,manager_coaching,enps_promoter,enps_detractor}',
                      grant_to => '{analyst}') AS "published (EX cells)";
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
REFRESH MATERIALIZED VIEW CONCURRENTLY published.cx_cells;   -- what pg_cron would schedule
REFRESH MATERIALIZED VIEW CONCURRENTLY published.ex_cells;
\set refresh_target published.cx_cells
RESET ROLE;
\else
SET ROLE exlink_admin;
CREATE MATERIALIZED VIEW published.team_wave AS
WITH cx AS (
    SELECT region, team, period AS wave, count(*) AS transactions,
           exlink.moments(ARRAY[csat, nps, effort, engagement, enablement, manager_coaching,
                                training_hours, tenure_years, workload, performance],
                          pseudonym, 5) AS m,
           avg(csat) AS csat, avg(nps) AS nps, avg(effort) AS effort,
           100.0 * (avg(nps_promoter) - avg(nps_detractor)) AS nps_score
      FROM link.linked GROUP BY 1, 2, 3
), ex AS (
    SELECT team, wave, count(*) AS employees,
           exlink.moments(ARRAY[engagement, enablement, manager_coaching], pseudonym, 5) AS exm,
           100.0 * (avg(enps_promoter) - avg(enps_detractor)) AS enps
      FROM link.ex_waves GROUP BY 1, 2
)
SELECT cx.region, cx.team, cx.wave, cx.transactions, exlink.members(cx.m) AS handlers,
       round(cx.csat::numeric, 3) AS csat, round(cx.nps::numeric, 3) AS nps,
       round(cx.effort::numeric, 3) AS effort, round(cx.nps_score::numeric, 1) AS nps_score,
       ex.employees AS respondents, round(ex.enps::numeric, 1) AS enps,
       round(((exlink.means(ex.exm))[1])::numeric, 3) AS engagement,
       round(((exlink.means(ex.exm))[2])::numeric, 3) AS enablement,
       round(((exlink.means(ex.exm))[3])::numeric, 3) AS manager_coaching,
       cx.m AS moments
  FROM cx JOIN ex USING (team, wave)
 WHERE cx.m IS NOT NULL AND ex.exm IS NOT NULL;
CREATE UNIQUE INDEX ON published.team_wave (team, wave);
REVOKE ALL ON published.team_wave FROM PUBLIC;
GRANT SELECT ON published.team_wave TO analyst;
COMMENT ON MATERIALIZED VIEW published.team_wave IS
    'Released team x wave cells (>= 5 employees on both sides); moments = (csat, nps, effort, engagement, enablement, manager_coaching, training_hours, tenure_years, workload, performance).';
REFRESH MATERIALIZED VIEW CONCURRENTLY published.team_wave;   -- what pg_cron would schedule
\set refresh_target published.team_wave
RESET ROLE;
\endif
SELECT team AS small_team FROM hr.employees GROUP BY team ORDER BY count(*), team COLLATE "C" LIMIT 1 \gset
SELECT count(*) AS "team x wave cells", count(*) FILTER (WHERE released) AS released,
       count(*) FILTER (WHERE NOT released) AS "withheld (< k)",
       count(DISTINCT team) FILTER (WHERE released) AS "teams with a released cell"
  FROM (SELECT l.team, l.period, EXISTS (SELECT 1 FROM published.team_wave p
                                          WHERE p.team = l.team AND p.wave = l.period) AS released
          FROM (SELECT DISTINCT team, period FROM link.linked) l) s;

-- Analysis helpers.  STAND-IN for issues 4 and 5: plain SQL/PL/pgSQL over the published moments
-- (their text form is JSON: n, means, co-moments), so they need no privilege beyond reading the
-- publication.  LATER: exlink.linked_correlation(m, i, j) and
-- exlink.drivers(exlink.driver_weights(m, names)) (betas, relative weights, Shapley shares).
CREATE SCHEMA demo;
GRANT USAGE ON SCHEMA demo TO analyst;
CREATE FUNCTION demo.comoment(m exlink.moments, i int, j int) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ((m::text::jsonb -> 'comoment') ->> (least(i, j) * ((m::text::jsonb ->> 'p')::int)
             - least(i, j) * (least(i, j) - 1) / 2 + abs(i - j)))::float8 $$;
CREATE FUNCTION demo.corr(m exlink.moments, i int, j int) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT demo.comoment(m, i, j) / sqrt(demo.comoment(m, i, i) * demo.comoment(m, j, j)) $$;
-- The moments of a subset of the variables, in a chosen order (0-based positions), e.g. an
-- outcome followed by its drivers: exact, built from the text form.
CREATE FUNCTION demo.subset(m exlink.moments, idx int[]) RETURNS exlink.moments
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('{"p":%s,"n":%s,"skipped":%s,"members":%s,"mean":[%s],"comoment":[%s]}',
                  array_length(idx, 1), j ->> 'n', j ->> 'skipped', coalesce(j ->> 'members', 'null'),
                  (SELECT string_agg(j -> 'mean' ->> i, ',' ORDER BY o)
                     FROM unnest(idx) WITH ORDINALITY u(i, o)),
                  (SELECT string_agg(j -> 'comoment' ->> (least(a.i, b.i) * p - least(a.i, b.i) * (least(a.i, b.i) - 1) / 2
                                                           + abs(a.i - b.i)), ',' ORDER BY a.o, b.o)
                     FROM unnest(idx) WITH ORDINALITY a(i, o), unnest(idx) WITH ORDINALITY b(i, o)
                    WHERE b.o >= a.o))::exlink.moments
      FROM (SELECT m::text::jsonb AS j, ((m::text::jsonb) ->> 'p')::int AS p) s $$;
-- OLS of variable y on variables xs (0-based positions in the moments vector): standardized
-- betas by solving R_xx beta = r_xy (Gauss-Jordan, partial pivoting), raw slopes, Pratt shares.
CREATE FUNCTION demo.ols(m exlink.moments, y int, xs int[], names text[])
    RETURNS TABLE (driver text, beta float8, b float8, r float8, pratt_share float8, r2 float8)
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    q int := array_length(xs, 1);
    a float8[] := array_fill(0::float8, ARRAY[q, q + 1]);
    piv int; t float8; f float8; rsq float8 := 0;
    bet float8[] := array_fill(0::float8, ARRAY[q]);
BEGIN
    FOR i IN 1..q LOOP
        FOR j IN 1..q LOOP
            a[i][j] := demo.corr(m, xs[i], xs[j]);
        END LOOP;
        a[i][q + 1] := demo.corr(m, xs[i], y);
    END LOOP;
    FOR c IN 1..q LOOP
        piv := c;
        FOR i IN c + 1..q LOOP
            IF abs(a[i][c]) > abs(a[piv][c]) THEN piv := i; END IF;
        END LOOP;
        IF piv <> c THEN
            FOR j IN 1..q + 1 LOOP t := a[c][j]; a[c][j] := a[piv][j]; a[piv][j] := t; END LOOP;
        END IF;
        FOR i IN 1..q LOOP
            IF i <> c THEN
                f := a[i][c] / a[c][c];
                FOR j IN c..q + 1 LOOP a[i][j] := a[i][j] - f * a[c][j]; END LOOP;
            END IF;
        END LOOP;
    END LOOP;
    FOR i IN 1..q LOOP
        bet[i] := a[i][q + 1] / a[i][i];
        rsq := rsq + bet[i] * demo.corr(m, xs[i], y);
    END LOOP;
    FOR i IN 1..q LOOP
        driver := names[i]; beta := bet[i];
        b := bet[i] * sqrt(demo.comoment(m, y, y) / demo.comoment(m, xs[i], xs[i]));
        r := demo.corr(m, xs[i], y);
        pratt_share := bet[i] * r / rsq;
        r2 := rsq;
        RETURN NEXT;
    END LOOP;
END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA demo TO analyst;

\echo
\echo '==================================================================================='
\echo ' Connected as the ANALYST from here on: only published.team_wave is readable'
\echo '==================================================================================='
SELECT to_regprocedure('exlink.linked_correlation(exlink.moments,integer,integer)') IS NOT NULL AS have_correlation,
       to_regprocedure('exlink.driver_weights(exlink.moments,text[])') IS NOT NULL
       AND to_regprocedure('exlink.drivers(exlink.driver_model)') IS NOT NULL AS have_drivers \gset
\c - analyst
SET client_min_messages = warning;
\echo
\echo '--- 6. What the analyst sees: released cells (first rows; moments column omitted) ---'
SELECT team, wave, transactions, handlers, csat, nps, effort, nps_score, respondents, enps
  FROM published.team_wave ORDER BY team COLLATE "C", wave LIMIT 6;

\echo
\echo '--- 7. Linked correlations: EX measure vs CX outcome, from merged published cells ---'
-- r from the co-moments of the merged cells (demo.corr); exlink.linked_correlation adds inference.
WITH all_cells AS (SELECT exlink.merge(moments) AS m FROM published.team_wave),
     x(measure, i) AS (VALUES ('engagement', 3), ('enablement', 4), ('manager_coaching', 5),
                              ('training_hours', 6), ('tenure_years', 7), ('workload', 8),
                              ('performance', 9))
SELECT x.measure, round(demo.corr(m, 0, i)::numeric, 3) AS "r with csat",
       round(demo.corr(m, 1, i)::numeric, 3) AS "r with nps",
       round(demo.corr(m, 2, i)::numeric, 3) AS "r with effort",
       exlink.n(m) AS n
  FROM all_cells, x ORDER BY x.i;
\echo 'Note performance: it correlates with every CX score (through engagement) although its planted'
\echo 'effect is zero; the key-driver analysis below separates the two.'
\echo
\echo 'Per region: r(nps, enablement) and r(csat, engagement)'
SELECT region, count(*) AS cells, exlink.n(exlink.merge(moments)) AS n,
       round(demo.corr(exlink.merge(moments), 1, 4)::numeric, 3) AS "r(nps, enablement)",
       round(demo.corr(exlink.merge(moments), 0, 3)::numeric, 3) AS "r(csat, engagement)"
  FROM published.team_wave GROUP BY region ORDER BY region COLLATE "C";

\if :have_correlation
\echo
\echo 'With inference (exlink.linked_correlation on the merged cells of each region):'
SELECT region, (c).n, round((c).r::numeric, 3) AS "r(nps, enablement)",
       round((c).ci_low::numeric, 3) AS "95% CI low", round((c).ci_high::numeric, 3) AS "95% CI high",
       CASE WHEN (c).p_value < 1e-16 THEN '< 1e-16' ELSE trim(to_char((c).p_value, '9.9EEEE')) END AS p
  FROM (SELECT region, exlink.linked_correlation(exlink.merge(moments), 2, 5) AS c
          FROM published.team_wave GROUP BY region) s
 ORDER BY region COLLATE "C";
\endif

\echo
\set drivers '\'{engagement,enablement,manager_coaching,training_hours,tenure_years,workload,performance}\'::text[]'
\if :have_drivers
\echo '--- 8. Key drivers (exlink.driver_weights on all released cells): betas, Johnson relative'
\echo '    weights and Shapley/LMG shares of R2, ranked by LMG ---------------------------------'
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave)
SELECT o.outcome, d.rank, d.name AS driver, round(d.beta::numeric, 3) AS beta,
       round(d.beta_se::numeric, 3) AS se, CASE WHEN d.p_value < 1e-16 THEN '< 1e-16' ELSE trim(to_char(d.p_value, '9.9EEEE')) END AS p,
       round(d.relative_weight_share::numeric, 1) AS "RW % of R2", round(d.lmg_share::numeric, 1) AS "LMG % of R2",
       round(d.r2::numeric, 3) AS "R2"
  FROM c, (VALUES ('csat', 0), ('nps', 1), ('effort', 2)) o(outcome, y),
       exlink.drivers(exlink.driver_weights(demo.subset(c.m, ARRAY[o.y, 3, 4, 5, 6, 7, 8, 9]), :drivers)) d
 ORDER BY array_position(ARRAY['csat', 'nps', 'effort'], o.outcome), d.rank, d.name COLLATE "C";
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
  FROM c, exlink.drivers(exlink.driver_weights(demo.subset(c.m, ARRAY[1, 3, 4, 5, 6, 7, 8, 9]), :drivers)) d
 GROUP BY c.region ORDER BY c.region COLLATE "C";
\else
\echo '--- 8. Key drivers: standardized betas and Pratt shares of R2, all released cells --'
-- STAND-IN for issue 5 (exlink.driver_weights / exlink.drivers, used above when installed).
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave)
SELECT o.outcome, rank() OVER (PARTITION BY o.outcome ORDER BY abs(d.pratt_share) DESC) AS rank,
       d.driver, round(d.beta::numeric, 3) AS beta, round(d.b::numeric, 4) AS "raw slope",
       round((100 * d.pratt_share)::numeric, 1) AS "share of R2 %", round(d.r2::numeric, 3) AS "R2"
  FROM c, (VALUES ('csat', 0), ('nps', 1), ('effort', 2)) o(outcome, y),
       demo.ols(c.m, o.y, ARRAY[3, 4, 5, 6, 7, 8, 9], :drivers) d
 ORDER BY array_position(ARRAY['csat', 'nps', 'effort'], o.outcome), 2 LIMIT 21;
\echo 'share of R2 = Pratt measure beta * r / R2 (sums to 100 %); Shapley/LMG and Johnson shares come'
\echo 'with exlink.driver_weights.'
\echo
\echo 'Top 3 drivers of NPS per region'
WITH c AS (SELECT region, exlink.merge(moments) AS m FROM published.team_wave GROUP BY region),
     d AS (SELECT c.region, d.driver, d.pratt_share, d.r2,
                  rank() OVER (PARTITION BY c.region ORDER BY d.pratt_share DESC) AS rk
             FROM c, demo.ols(c.m, 1, ARRAY[3, 4, 5, 6, 7, 8, 9], :drivers) d)
SELECT region, round(max(r2)::numeric, 3) AS "R2",
       string_agg(driver || ' ' || round((100 * pratt_share)::numeric) || '%', ', ' ORDER BY rk) AS "top drivers (share of R2)"
  FROM d WHERE rk <= 3 GROUP BY region ORDER BY region COLLATE "C";
\endif

\echo
\echo '--- 9. eNPS (employees) vs NPS (customers) by team, last wave; small teams absent --'
-- LATER: exlink.nps(score, member) computes both, guarded, in the publication.
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
    (3, 'read the key', 'SELECT * FROM ' || :'keytable'),
    (4, 'compute a pseudonym', 'SELECT ' || :'pseudonymize' || '(''E10001'', ''linkage-2026'')'),
    (5, 'SET exlink.min_group_size = 2', 'SET exlink.min_group_size = 2'),
    (6, 'set_config(''exlink.min_group_size'', ...)', 'SELECT set_config(''exlink.min_group_size'', ''2'', false)'),
    (7, 'ALTER ROLE ... SET exlink.min_group_size', 'ALTER ROLE analyst SET exlink.min_group_size = 2'),
    (8, 'refresh the publication', 'REFRESH MATERIALIZED VIEW ' || :'refresh_target')) v(i, what, q)
 ORDER BY i;
SELECT exlink.min_group_size() AS "k after the attempts", current_setting('exlink.min_group_size') AS "GUC";

\echo
\echo '==================================================================================='
\echo ' Back as the demo operator: planted truth vs what the analyst recovered'
\echo '==================================================================================='
\c - postgres
SET client_min_messages = warning;
\set tolerance 0.02
\echo 'found = OLS of each CX score on the 7 EX measures over the merged released cells;'
\echo 'planted/found: raw effect (CX points per unit of the measure); beta: standardized'
\echo 'tolerance: |beta found - beta planted| <=' :tolerance
CREATE TEMP TABLE recovered AS
WITH c AS (SELECT exlink.merge(moments) AS m FROM published.team_wave)
SELECT o.outcome, d.driver AS measure, d.beta, d.b, d.pratt_share, d.r2
  FROM c, (VALUES ('csat', 0), ('nps', 1), ('effort', 2)) o(outcome, y),
       demo.ols(c.m, o.y, ARRAY[3, 4, 5, 6, 7, 8, 9], :drivers) d;
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
       round((SELECT demo.corr(exlink.merge(moments), 1, 4) FROM published.team_wave)::numeric, 12)
           AS "analyst: merged cells",
       count(*) AS "rows"
  FROM released;

\ir demo_chart.sql
\echo
\echo 'Chart written to' :chart
