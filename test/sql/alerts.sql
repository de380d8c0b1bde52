-- Alerts (issue 20, sql/parts/70_alerts.sql): statistics against R on a fixed fixture of released
-- cells, the alerts table of a period publication, its scheduled refresh (the seal), and the
-- rule that alerts are a function of released cells only, checked as the analyst.
\set SHOW_CONTEXT never

-- 1. exlink.alert_statistics against R (test/data/alerts_reference.R): funnel limits with the
-- winsorized overdispersion, changes, EWMA drift, two-sided p and p.adjust(method = "BH").
CREATE TEMP TABLE al_cells (period text, prank integer, unit text, measure text, n float8, mean float8, se float8);
CREATE TEMP TABLE al_ref (period text, unit text, measure text, kind text, figure float8, target float8, limit_low float8,
                          limit_high float8, z float8, p_value float8, p_adjusted float8, phi float8, tau2 float8);
\copy al_cells FROM 'test/data/alerts_cells.csv' WITH (FORMAT csv, HEADER)
\copy al_ref FROM 'test/data/alerts_reference.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE al_got AS
SELECT s.* FROM (SELECT array_agg(period) p, array_agg(prank) r, array_agg(unit) u, array_agg(measure) m, array_agg(n) n,
                        array_agg(mean) f, array_agg(se) se FROM al_cells) x,
       LATERAL exlink.alert_statistics(x.p, x.r, x.u, x.m, x.n, x.f, x.se) s;
SELECT (SELECT count(*) FROM al_ref) AS reference_rows, (SELECT count(*) FROM al_got) AS exlink_rows,
       count(*) AS matched, count(*) FILTER (WHERE g.direction = CASE WHEN r.z < 0 THEN 'low' ELSE 'high' END) AS direction_ok
  FROM al_ref r JOIN al_got g USING (period, unit, measure, kind);
SELECT r.kind,
       max(greatest(abs(g.figure - r.figure), abs(g.target - r.target), abs(g.limit_low - r.limit_low), abs(g.limit_high - r.limit_high))) < 1e-9 AS figures_and_limits,
       max(abs(g.z - r.z)) < 1e-9 AS z, max(abs(g.p_value - r.p_value)) < 1e-9 AS p_value,
       max(abs(g.p_adjusted - r.p_adjusted)) < 1e-9 AS p_adjusted_bh, max(abs(g.phi - r.phi)) < 1e-9 AS phi,
       max(abs(g.tau2 - r.tau2)) < 1e-9 AS tau2, round(min(g.phi)::numeric, 3) AS min_phi, round(max(g.phi)::numeric, 3) AS max_phi,
       round(max(g.tau2)::numeric, 4) AS max_tau2,
       -- max() and greatest() skip NULLs: a figure NULL on one side only is counted here
       count(*) FILTER (WHERE (g.figure IS NULL) <> (r.figure IS NULL) OR (g.target IS NULL) <> (r.target IS NULL)
                           OR (g.limit_low IS NULL) <> (r.limit_low IS NULL) OR (g.limit_high IS NULL) <> (r.limit_high IS NULL)
                           OR (g.z IS NULL) <> (r.z IS NULL) OR (g.p_value IS NULL) <> (r.p_value IS NULL)
                           OR (g.p_adjusted IS NULL) <> (r.p_adjusted IS NULL) OR (g.phi IS NULL) <> (r.phi IS NULL)
                           OR (g.tau2 IS NULL) <> (r.tau2 IS NULL)) AS null_mismatches
  FROM al_ref r JOIN al_got g USING (period, unit, measure, kind) GROUP BY r.kind ORDER BY r.kind;
-- U03's CX (a drop of 0.6 planted from March)
SELECT period, measure, kind, round(z::numeric, 2) AS z, round(p_adjusted::numeric, 4) AS p_adjusted, direction
  FROM al_got WHERE unit = 'U03' AND measure = 'cx' AND kind IN ('level', 'change') ORDER BY period, kind;
-- the normal distribution of the C side
SELECT exlink.normal_cdf(-1.959963984540054) BETWEEN 0.0249999999 AND 0.0250000001 AS cdf, exlink.normal_quantile(0.975) - 1.959963984540054 < 1e-12 AS quantile;
SELECT exlink.normal_quantile(1);

-- exlink.mean_se: with a cluster summary (exlink.cluster_summary, superuser only), the CR1
-- standard error of the mean clustered by member, sqrt(G/(G - 1) Σ_g (Σ_(i in g) (x_i - mean))²) / n,
-- here against the same sum taken on the rows; without one, sd/sqrt(n) of the rows.
CREATE TEMP TABLE al_rows AS
SELECT 'm' || (i % 7) AS member, ((i * 37) % 11)::float8 + (i % 7) AS x, ((i * 13) % 5)::float8 AS y
  FROM generate_series(1, 40) i;
SET exlink.cluster_summary = on;
WITH m AS (SELECT exlink.moments(ARRAY[x, y], member) AS mo FROM al_rows),
ref AS (
    SELECT sqrt(count(*) OVER () / (count(*) OVER () - 1.0) * sum(s ^ 2) OVER ()) / 40 AS se_x
      FROM (SELECT member, sum(x - (SELECT avg(x) FROM al_rows)) AS s FROM al_rows GROUP BY member) g LIMIT 1)
SELECT e.method, abs(e.mean - (SELECT avg(x) FROM al_rows)) < 1e-12 AS mean_ok, abs(e.se - ref.se_x) < 1e-12 AS cr1_se_ok
  FROM m, ref, exlink.mean_se(m.mo, 1) e;
RESET exlink.cluster_summary;
SELECT e.method, abs(e.se - (SELECT stddev(y) / sqrt(count(*)) FROM al_rows)) < 1e-12 AS rows_se_ok
  FROM (SELECT exlink.moments(ARRAY[x, y], member) AS mo FROM al_rows) m, exlink.mean_se(m.mo, 2) e;
SELECT exlink.mean_se(exlink.moments(ARRAY[x]), 2) FROM al_rows;

-- 2. An alerts table of a period publication, as the custodian.
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.sealed_periods TO regress_custodian;
GRANT SELECT, INSERT, DELETE ON exlink.result_tables, exlink.alert_tables TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.refresh(regclass), exlink.seal(regclass, text),
                          exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name),
                          exlink.publish_alerts(text, regclass, name, name[], name[], float8), exlink.unpublish(regclass) TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA alr;
GRANT USAGE ON SCHEMA alr TO regress_analyst;
-- 14 teams of 6 to 13 employees, 3 rows each per month, January to April 2025; team t07's CX
-- drops from March; a team of 3 ('tiny', hidden: fewer than k = 5) every month.
SELECT setseed(0.20);
CREATE TABLE alr.emp AS
SELECT t, 't' || lpad(t::text, 2, '0') AS team, 't' || t || '-' || e AS employee, random() - 0.5 AS u
  FROM generate_series(1, 14) AS t, generate_series(1, 6 + (t * 5) % 8) AS e ORDER BY t, e;
CREATE TABLE alr.src AS
SELECT em.team, em.employee, make_date(2025, m, 1 + r * 7) AS at,
       round((6 + em.u + 2 * random() - CASE WHEN em.t = 7 AND m >= 3 THEN 1.2 ELSE 0 END)::numeric, 3)::float8 AS cx,
       round((5 + em.u + 2 * random() - CASE WHEN em.t = 7 AND m >= 3 THEN 1.0 ELSE 0 END)::numeric, 3)::float8 AS ex
  FROM alr.emp em, generate_series(1, 4) AS m, generate_series(0, 2) AS r ORDER BY 1, 2, 3;
INSERT INTO alr.src SELECT 'tiny', 'tiny-' || e, make_date(2025, m, 2), 1, 1 FROM generate_series(1, 3) e, generate_series(1, 4) m;
SELECT exlink.publish('alr.monthly', 'alr.src', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}',
                      period => 'date_trunc(''month'', at::timestamp)::date');
-- January and February sealed (on request: exlink.refresh seals due periods the same way, by
-- exlink.seal_periods, which pg_cron schedules; see test/shell/cron_refresh.sh)
SELECT exlink.seal('alr.monthly', '2025-01-01'), exlink.seal('alr.monthly', '2025-02-01');
-- wrong arguments
SELECT exlink.publish_alerts('alr.bad', 'alr.monthly', 'cx', '{cx}');
SELECT exlink.publish_alerts('alr.bad', 'alr.monthly', 'nps', '{ex}');
SELECT exlink.publish_alerts('alr.bad', 'alr.monthly', 'cx', '{ex}', level => 0.7);
SELECT exlink.publish_alerts('alr.bad', 'alr.src', 'cx', '{ex}');
-- the alerts table, through publish_results (statistic 'alerts'): filled for the sealed periods
SELECT exlink.publish_results('alr.alerts', 'alr.monthly', 'cx', '{ex}', statistic => 'alerts', grant_to => '{regress_analyst}');
SELECT period, count(*) AS rows, count(DISTINCT unit) AS units FROM alr.alerts GROUP BY period ORDER BY period;
RESET ROLE;

-- Sealing a period fills its alerts (the hook in exlink.seal_periods), from the cells just released.
SET ROLE regress_custodian;
SELECT exlink.seal('alr.monthly', '2025-03-01'), exlink.seal('alr.monthly', '2025-04-01');
SELECT period, count(*) AS rows, count(DISTINCT unit) AS units, count(*) FILTER (WHERE alert) AS alerts FROM alr.alerts GROUP BY period ORDER BY period;
-- positive control: the custodian sees the tiny team in the source, every month
SELECT team, count(DISTINCT employee) AS members, count(DISTINCT date_trunc('month', at)) AS months FROM alr.src WHERE team = 'tiny' GROUP BY team;
RESET ROLE;

-- 3. As the analyst: the alert list, the tiny team nowhere, and every figure a function of the
-- released cells the analyst reads anyway.
SET ROLE regress_analyst;
SELECT period, team, measure, kind, basis, round(figure::numeric, 3) AS figure, round(z::numeric, 2) AS z,
       round(p_adjusted::numeric, 4) AS p_adjusted, direction, linked_measure, round(linked_figure::numeric, 3) AS linked_figure
  FROM alr.alerts WHERE alert ORDER BY period, team, measure, kind, basis;
-- must fail: the hidden team in the alerts (any period, any kind), or in the publication
SELECT count(*) AS tiny_rows FROM alr.alerts WHERE team = 'tiny' OR unit LIKE '%tiny%';
SELECT count(*) AS tiny_cells FROM alr.monthly WHERE team = 'tiny';
-- every row is a released cell's: same period, cell, responses and members
SELECT count(*) AS rows_without_a_released_cell
  FROM alr.alerts a LEFT JOIN alr.monthly m ON m.period = a.period AND m.cell = a.cell AND m.responses = a.responses AND m.members = a.members
 WHERE m.cell IS NULL;
-- the level, change and drift rows recomputed by the analyst from the released cells alone
-- (equal to rounding: sums taken in another order)
CREATE TEMP TABLE al_mine AS
SELECT s.* FROM (SELECT array_agg(c.period::text) p, array_agg(c.r) r, array_agg(c.cell) u, array_agg(v.measure) m,
                        array_agg(c.responses::float8) n, array_agg(e.mean) f, array_agg(e.se) se
                   FROM (SELECT m.*, dense_rank() OVER (ORDER BY m.period)::integer AS r FROM alr.monthly m WHERE m.level = 1) c
                  CROSS JOIN unnest('{cx,ex}'::text[]) WITH ORDINALITY v(measure, j)
                  CROSS JOIN LATERAL exlink.mean_se(c.moments, v.j::integer) e) x,
       LATERAL exlink.alert_statistics(x.p, x.r, x.u, x.m, x.n, x.f, x.se) s;
SELECT count(*) AS alert_rows, count(m.*) AS recomputed,
       count(*) FILTER (WHERE greatest(abs(a.figure - m.figure), abs(a.target - m.target), abs(a.limit_low - m.limit_low),
                                       abs(a.limit_high - m.limit_high), abs(a.z - m.z), abs(a.p_value - m.p_value),
                                       abs(a.p_adjusted - m.p_adjusted), abs(a.phi - m.phi), abs(a.tau2 - m.tau2)) < 1e-12) AS equal_to_rounding
  FROM alr.alerts a LEFT JOIN al_mine m ON m.period = a.period::text AND m.unit = a.cell AND m.measure = a.measure AND m.kind = a.kind
 WHERE a.kind <> 'linked';
-- must fail: the custodian's registry columns (who, to whom) and publishing
SELECT grantees FROM exlink.alert_tables;
SELECT exlink.publish_alerts('alr.mine', 'alr.monthly', 'cx', '{ex}');
-- (the registry's names, no figures, are readable, as exlink.result_tables')
SELECT object, outcome, drivers, level FROM exlink.alert_tables;
-- the columns are described for BI tools
SELECT count(*) AS columns, count(col_description('alr.alerts'::regclass, attnum)) AS described
  FROM pg_attribute WHERE attrelid = 'alr.alerts'::regclass AND attnum > 0 AND NOT attisdropped;
-- and listed, with its publication's settings, in exlink.catalog and information_schema
SELECT object, kind, publication, statistic, outcome, drivers, k, period FROM exlink.catalog
 WHERE object::text LIKE 'alr.%' ORDER BY object::text COLLATE "C";
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'alr' ORDER BY table_name COLLATE "C";
RESET ROLE;

SET ROLE regress_custodian;
-- unpublish: of an alerts table, and of a publication (its alerts tables go with it)
SELECT exlink.publish_alerts('alr.alerts2', 'alr.monthly', 'ex', '{cx}');
SELECT exlink.unpublish('alr.alerts');
SELECT to_regclass('alr.alerts') AS dropped, (SELECT count(*) FROM exlink.alert_tables) AS registered;
RESET ROLE;
SELECT exlink.unpublish('alr.monthly');   -- (as the superuser: the custodian here lacks DELETE on released_cells)
SET ROLE regress_custodian;
SELECT to_regclass('alr.alerts2') AS dropped_with_it, to_regclass('alr.monthly') AS publication, (SELECT count(*) FROM exlink.alert_tables) AS registered;
DROP SCHEMA alr CASCADE;
RESET ROLE;
-- (the grants of security_periods, which later tests use, stay; only this test's are revoked)
REVOKE ALL ON exlink.alert_tables FROM regress_custodian;
REVOKE EXECUTE ON FUNCTION exlink.publish_alerts(text, regclass, name, name[], name[], float8) FROM regress_custodian;
DELETE FROM exlink.alert_tables;
