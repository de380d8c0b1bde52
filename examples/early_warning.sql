-- exlink demo: spot issues early (issue 20; docs/early-warning.md).
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Planted data: 40 teams, 12 months of customer ratings (csat, CX) linked to each employee's
-- monthly EX scores (coaching by the manager, workload).  In team T07 (10 employees) the
-- manager's coaching score drops from June; from July the team's csat starts slipping (a slide
-- of 0.12 SD a month).  The custodian publishes the months as sealed periods and an alerts
-- table; the analyst reads the alert list (when it found T07, and that the slip comes with the
-- coaching drop) and a funnel plot is written as SVG.  Runs in a few seconds.
--   psql -v chart=examples/out/early_warning.svg -f examples/early_warning.sql
\set ON_ERROR_STOP on
\if :{?chart}
\else
\set chart examples/out/early_warning.svg
\endif
SET client_min_messages = warning;
\pset footer off
-- its own database (dropped and made again; the demo's exlink_demo is left alone)
\c postgres
DROP DATABASE IF EXISTS exlink_early_warning;
CREATE DATABASE exlink_early_warning;
\c exlink_early_warning
SET client_min_messages = warning;
CREATE EXTENSION exlink CASCADE;
CREATE SCHEMA ew;

-- 1. The linked rows (what the custodian holds): 8 ratings per employee per month.
SELECT setseed(0.2020);
CREATE TABLE ew.emp AS
SELECT t, format('T%s', lpad(t::text, 2, '0')) AS team, format('T%s-E%s', t, e) AS employee,
       0.4 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS lean
  FROM generate_series(1, 40) t, generate_series(1, CASE WHEN t = 7 THEN 10 ELSE 6 + (t * 7) % 11 END) e;
CREATE TABLE ew.linked AS
SELECT e.team, e.employee, make_date(2025, m, 1 + r * 3) AS rated_on,
       -- the manager's coaching as the employee rates it (drops in T07 from June)
       x.coaching,
       3 + 0.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS workload,
       -- csat depends on coaching everywhere; T07 slips from July
       7 + 0.5 * x.coaching + e.lean + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
         - CASE WHEN e.t = 7 AND m >= 7 THEN 0.12 * 1.2 * (m - 6) ELSE 0 END AS csat
  FROM ew.emp e, generate_series(1, 12) m, generate_series(0, 7) r,
       LATERAL (SELECT 3.5 + e.lean + 0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
                       - CASE WHEN e.t = 7 AND m >= 6 THEN 1.0 ELSE 0 END + 0 * r AS coaching) x;

-- 2. The custodian: months sealed as periods (all of 2025 has ended), and the alerts table,
-- filled now for every sealed month and by every later seal (pg_cron's exlink.refresh).
SELECT exlink.publish('ew.monthly', 'ew.linked', 'employee', '{team}', '{csat,coaching,workload}',
                      period => 'date_trunc(''month'', rated_on::timestamp)::date', period_length => '1 month') AS published;
SELECT exlink.publish_results('ew.alerts', 'ew.monthly', 'csat', '{coaching,workload}', statistic => 'alerts') AS alerts_table;

-- 3. What the analyst reads: the alert list (false discovery rate 5% per month).
\echo
\echo 'The alert list (alert = Benjamini-Hochberg adjusted p < 0.05 within the month):'
SELECT to_char(period, 'YYYY-MM') AS month, team, measure, kind, basis,
       round(figure::numeric, 2) AS figure, round(z::numeric, 1) AS z, round(p_adjusted::numeric, 4) AS p_adjusted,
       direction, linked_measure, round(linked_figure::numeric, 2) AS linked_figure
  FROM ew.alerts WHERE alert ORDER BY period, team, measure, kind, basis;

\echo 'When it found T07 (coaching dropped in June, csat slipping from July):'
SELECT measure, CASE measure WHEN 'coaching' THEN '2025-06' ELSE '2025-07' END AS change_began,
       min(to_char(period, 'YYYY-MM')) AS first_alert,
       extract(month FROM min(period))::integer - CASE measure WHEN 'coaching' THEN 6 ELSE 7 END + 1 AS found_in_month_n_of_the_change,
       string_agg(DISTINCT kind, ', ') AS kinds
  FROM ew.alerts WHERE alert AND team = 'T07' AND measure IN ('csat', 'coaching') GROUP BY measure ORDER BY measure;
SELECT count(*) FILTER (WHERE team <> 'T07') AS alerts_on_other_teams, count(*) FILTER (WHERE team = 'T07') AS alerts_on_T07
  FROM ew.alerts WHERE alert;

-- 4. The chart: funnel plots of csat and coaching for the month T07's csat was first flagged
-- (each team at its responses; whiskers = its limits; red = alert), and T07's months.
SELECT coalesce(min(period), date '2025-12-01') AS fmonth FROM ew.alerts WHERE alert AND team = 'T07' AND measure = 'csat' \gset
CREATE FUNCTION pg_temp.funnel(x0 float8, y0 float8, w float8, h float8, m text, month date, title text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    xmin float8; xmax float8; ymin float8; ymax float8; tgt float8; out text; r record;
    px float8 := x0 + 50; py float8 := y0 + 30; pw float8 := w - 70; ph float8 := h - 70;
BEGIN
    SELECT min(responses) * 0.9, max(responses) * 1.05, least(min(limit_low), min(figure)), greatest(max(limit_high), max(figure)), min(target)
      INTO xmin, xmax, ymin, ymax, tgt
      FROM ew.alerts WHERE period = month AND measure = m AND kind = 'level';
    ymin := ymin - 0.05 * (ymax - ymin); ymax := ymax + 0.05 * (ymax - ymin);
    out := format('<text x="%s" y="%s" class="h2">%s</text>', x0, y0 + 14, title)
        || format('<rect x="%s" y="%s" width="%s" height="%s" class="frame"/>', px, py, pw, ph)
        || format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="target"/>', px, px + pw,
                  round((py + ph * (ymax - tgt) / (ymax - ymin))::numeric, 1), round((py + ph * (ymax - tgt) / (ymax - ymin))::numeric, 1))
        || format('<text x="%s" y="%s" class="axis">responses (rows) of the team this month</text>', px + pw / 2 - 90, py + ph + 30)
        || format('<text x="%s" y="%s" class="axis">%s</text><text x="%s" y="%s" class="axis">%s</text>', px - 45, py + 10, round(ymax::numeric, 2), px - 45, py + ph, round(ymin::numeric, 2));
    FOR r IN SELECT team, responses, figure, limit_low, limit_high, alert FROM ew.alerts
              WHERE period = month AND measure = m AND kind = 'level' ORDER BY team LOOP
        out := out || format('<line x1="%2$s" x2="%2$s" y1="%3$s" y2="%4$s" class="limit"/><circle cx="%2$s" cy="%5$s" r="%6$s" class="%7$s"><title>%1$s</title></circle>',
            r.team, round((px + pw * (r.responses - xmin) / (xmax - xmin))::numeric, 1),
            round((py + ph * (ymax - r.limit_low) / (ymax - ymin))::numeric, 1), round((py + ph * (ymax - r.limit_high) / (ymax - ymin))::numeric, 1),
            round((py + ph * (ymax - r.figure) / (ymax - ymin))::numeric, 1), CASE WHEN r.team = 'T07' THEN 5 ELSE 3.5 END,
            CASE WHEN r.alert THEN 'alert' WHEN r.team = 'T07' THEN 'planted' ELSE 'team' END);
        IF r.team = 'T07' THEN
            out := out || format('<text x="%s" y="%s" class="axis">T07</text>', round((px + pw * (r.responses - xmin) / (xmax - xmin))::numeric, 1) + 7,
                                 round((py + ph * (ymax - r.figure) / (ymax - ymin))::numeric, 1) + 4);
        END IF;
    END LOOP;
    RETURN out;
END $$;
-- T07's csat and coaching z-scores (level against the organisation) month by month
CREATE FUNCTION pg_temp.timeline(x0 float8, y0 float8, w float8, h float8) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    out text; r record; px float8 := x0 + 50; py float8 := y0 + 30; pw float8 := w - 70; ph float8 := h - 70;
    zmin float8 := -8; zmax float8 := 4;
BEGIN
    out := format('<text x="%s" y="%s" class="h2">T07 month by month: z of csat (blue) and coaching (orange) against the organisation; band = ±1.96</text>', x0, y0 + 14)
        || format('<rect x="%s" y="%s" width="%s" height="%s" class="frame"/>', px, py, pw, ph)
        || format('<rect x="%s" y="%s" width="%s" height="%s" class="band"/>', px, py + ph * (zmax - 1.96) / (zmax - zmin), pw, ph * 3.92 / (zmax - zmin));
    FOR r IN SELECT measure, string_agg(format('%s,%s', round((px + pw * (extract(month FROM period) - 1) / 11)::numeric, 1),
                                               round((py + ph * (zmax - greatest(zmin, least(zmax, z))) / (zmax - zmin))::numeric, 1)), ' ' ORDER BY period) AS pts
               FROM ew.alerts WHERE team = 'T07' AND kind = 'level' AND measure IN ('csat', 'coaching') GROUP BY measure LOOP
        out := out || format('<polyline points="%s" class="%s"/>', r.pts, r.measure);
    END LOOP;
    FOR r IN SELECT generate_series(1, 12) AS mo LOOP
        out := out || format('<text x="%s" y="%s" class="axis">%s</text>', round((px + pw * (r.mo - 1) / 11)::numeric, 1) - 6, py + ph + 16, to_char(make_date(2025, r.mo, 1), 'Mon'));
    END LOOP;
    RETURN out || format('<text x="%s" y="%s" class="axis">%s</text><text x="%s" y="%s" class="axis">%s</text>', px - 25, py + 10, zmax, px - 25, py + ph, zmin);
END $$;
\pset tuples_only on
\pset format unaligned
\o :chart
SELECT '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="640" viewBox="0 0 1000 640" font-family="sans-serif">'
    || '<style>.h1{font-size:17px;font-weight:bold}.h2{font-size:13px;font-weight:bold}.axis{font-size:11px;fill:#444}'
    || '.frame{fill:none;stroke:#999}.target{stroke:#333;stroke-dasharray:4 3}.limit{stroke:#bbb;stroke-width:2}'
    || '.team{fill:#4477aa;opacity:.8}.planted{fill:#4477aa;stroke:#000}.alert{fill:#cc3311;stroke:#000}'
    || '.band{fill:#eee}.csat{fill:none;stroke:#4477aa;stroke-width:2}.coaching{fill:none;stroke:#ee7733;stroke-width:2}</style>'
    || format('<text x="20" y="26" class="h1">Early warning, %s: funnel plots from released cells only (red = on the alert list)</text>', to_char(date :'fmonth', 'YYYY-MM'))
    || pg_temp.funnel(10, 40, 490, 330, 'csat', :'fmonth', 'csat (CX) by team')
    || pg_temp.funnel(500, 40, 490, 330, 'coaching', :'fmonth', 'coaching (EX) by team')
    || pg_temp.timeline(10, 380, 980, 250)
    || '</svg>';
\o
\pset tuples_only off
\pset format aligned
\echo 'Chart written to' :chart
\c postgres
DROP DATABASE exlink_early_warning;
