-- exlink demo, part 2: key drivers beyond straight lines (issue 21).  Run by `make demo`
-- (tools/run-demo.sh) after examples/demo.sql, as a superuser in a throwaway cluster.
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- WARNING: it drops and recreates the database exlink_driver_map and the role map_reader.
--
-- Synthetic linked rows with three planted effects a straight-line model cannot show: a
-- categorical one (the training class an employee took), a plateau (training hours help up to
-- 20 hours, not beyond) and a segment difference (engagement matters more on the phone than in
-- chat).  The custodian recovers them with driver groups, a response curve and segment effects,
-- then publishes the key driver map per region as a results table, which the reader charts
-- (SVG, written straight from SQL).
\set ON_ERROR_STOP on
\set QUIET on
\if :{?seed} \else \set seed 42 \endif
\if :{?map_chart} \else \set map_chart examples/out/driver_map.svg \endif
\pset footer off
\pset null '-'
\pset linestyle unicode
\pset border 1
SET client_min_messages = warning;
\c postgres
SET client_min_messages = warning;
DROP DATABASE IF EXISTS exlink_driver_map;
DROP ROLE IF EXISTS map_reader;
CREATE ROLE map_reader LOGIN;
CREATE DATABASE exlink_driver_map;
\c exlink_driver_map
SET client_min_messages = warning;
-- Section 5 publishes a snapshot (no period) and its results table, which refreshes it with the
-- 0.2.0 change ledger: a superuser opts in (docs/reference.md, exlink.publish_results).
SET exlink.allow_unsafe_refresh = on;
CREATE EXTENSION exlink CASCADE;
GRANT USAGE ON SCHEMA exlink TO map_reader;

\echo
\echo '==================================================================================='
\echo ' Key drivers beyond straight lines: a training class, a plateau, a segment'
\echo '==================================================================================='
-- 1,200 employees in 4 regions x 10 teams, 1-14 transactions each.  Planted (CSAT points):
-- class basic +0.20 and advanced +0.50 over none; +0.04 per training hour up to 20, then 0;
-- +0.25 per engagement point in chat, +0.45 on the phone; +0.15 per coaching point, +0.10 per
-- recognition point; tools 0.  The EX items are on a 1-5 scale; recognition scores low.
CREATE SCHEMA linked;
SELECT setseed(:seed / 1000.0) \gset
CREATE TABLE linked.emp AS
SELECT e, 'E' || lpad(e::text, 5, '0') AS employee,
       (ARRAY['north', 'south', 'east', 'west'])[1 + e % 4] AS region,
       'T' || lpad((e % 40)::text, 2, '0') AS team,
       (ARRAY['none', 'none', 'basic', 'advanced'])[1 + floor(random() * 4)::int] AS class,
       round((40 * random())::numeric, 1)::float8 AS hours,
       round((1 + 4 * random())::numeric, 2)::float8 AS engagement,
       round((1 + 4 * random())::numeric, 2)::float8 AS coaching,
       round((1 + 4 * random())::numeric, 2)::float8 AS tools,
       round((1 + 3 * random())::numeric, 2)::float8 AS recognition,
       0.3 * (random() + random() + random() - 1.5) AS effect
  FROM generate_series(1, 1200) AS e;
CREATE TABLE linked.rows AS
SELECT m.employee, m.region, m.team, m.class, m.hours, m.engagement, m.coaching, m.tools, m.recognition, t.channel,
       round((2.2 + CASE m.class WHEN 'basic' THEN 0.20 WHEN 'advanced' THEN 0.50 ELSE 0 END
              + 0.04 * least(m.hours, 20) + 0.15 * m.coaching + 0.10 * m.recognition
              + CASE t.channel WHEN 'phone' THEN 0.45 ELSE 0.25 END * m.engagement
              + m.effect + 0.6 * (random() + random() + random() - 1.5))::numeric, 3)::float8 AS csat
  FROM linked.emp m,
       LATERAL (SELECT (ARRAY['chat', 'phone'])[1 + floor(random() * 2)::int] AS channel
                  FROM generate_series(1, 1 + (m.e * 7) % 14) WHERE m.e > 0) t;
SELECT count(*) AS transactions, count(DISTINCT employee) AS employees, count(DISTINCT team) AS teams FROM linked.rows;

\echo
\echo '--- 1. Driver groups: one importance and one test per question, not per column -----'
\echo 'class enters as two dummies, hours as a piecewise-linear basis (knots 10, 20), the channel'
\echo 'difference as an interaction; LMG over groups, summed relative weights, clustered Wald F (CR2):'
CREATE TABLE linked.model AS
SELECT exlink.driver_weights(csat,
           exlink.dummies(class, ARRAY['none', 'basic', 'advanced'], 'none')
           || exlink.piecewise_linear(hours, ARRAY[10, 20])
           || ARRAY[engagement, coaching, tools, recognition]
           || exlink.dummies(channel, ARRAY['chat', 'phone'], 'chat')
           || ARRAY[engagement * (channel = 'phone')::int],
           employee,
           ARRAY['basic', 'advanced', 'hours', 'hours_10', 'hours_20', 'engagement', 'coaching', 'tools',
                 'recognition', 'phone', 'engagement_x_phone'],
           'cluster',
           ARRAY['class', 'class', 'hours', 'hours', 'hours', 'engagement', 'coaching', 'tools',
                 'recognition', 'channel', 'engagement_x_channel']) AS m
  FROM linked.rows;
SELECT g.name AS "group", array_length(g.columns, 1) AS columns, round(g.lmg_share::numeric, 1) AS "LMG %",
       round(g.relative_weight_share::numeric, 1) AS "RW %", g.rank, round(g.f::numeric, 1) AS "F",
       g.df1 || ', ' || g.df2 AS df, CASE WHEN g.p_value < 1e-4 THEN '< 1e-4' ELSE round(g.p_value::numeric, 4)::text END AS p
  FROM linked.model, exlink.driver_groups(m) g ORDER BY g.rank;

\echo
\echo '--- 2. Planted vs recovered (raw CSAT points, 95% clustered intervals) -----------'
WITH m AS (SELECT m FROM linked.model),
est AS (
    SELECT 'class advanced vs none' AS effect, 0.50 AS planted, c.* FROM m, exlink.driver_contrast(m, '{advanced}', '{1}') c
    UNION ALL
    SELECT 'class basic vs none', 0.20, c.* FROM m, exlink.driver_contrast(m, '{basic}', '{1}') c
    UNION ALL
    SELECT 'slope per hour below 10 h', 0.04, c.* FROM m, exlink.driver_contrast(m, '{hours}', '{1}') c
    UNION ALL
    SELECT 'slope per hour beyond 20 h', 0.00, c.* FROM m, exlink.driver_contrast(m, '{hours,hours_10,hours_20}', '{1,1,1}') c
    UNION ALL
    SELECT 'engagement: phone minus chat', 0.20, c.* FROM m, exlink.driver_contrast(m, '{engagement_x_phone}', '{1}') c)
SELECT effect, planted, round(estimate::numeric, 3) AS recovered,
       '[' || round(ci_low::numeric, 3) || ', ' || round(ci_high::numeric, 3) || ']' AS "95% CI",
       CASE WHEN planted BETWEEN ci_low AND ci_high THEN 'covered' ELSE 'MISSED' END AS planted_in_ci
  FROM est;

\echo
\echo '--- 3. Where more training stops paying: the response curve of hours --------------'
SELECT c.x AS hours, round(c.predicted::numeric, 3) AS predicted_csat, round(c.slope::numeric, 4) AS slope,
       '[' || round(c.slope_low::numeric, 4) || ', ' || round(c.slope_high::numeric, 4) || ']' AS "slope 95% CI",
       c.flat_from AS "flat from (h)"
  FROM linked.model, exlink.response_curve(m, '{hours,hours_10,hours_20}', '{0,5,10,15,20,25,30,35,40}', '{10,20}') c;

\echo
\echo '--- 4. Effect by segment: engagement in chat and on the phone, from one model ------'
SELECT e.segment, round(e.slope::numeric, 3) AS "CSAT per engagement point",
       '[' || round(e.slope_low::numeric, 3) || ', ' || round(e.slope_high::numeric, 3) || ']' AS "95% CI",
       round(e.difference::numeric, 3) AS "vs chat",
       CASE WHEN e.difference_p < 1e-4 THEN '< 1e-4' ELSE round(e.difference_p::numeric, 4)::text END AS p
  FROM linked.model, exlink.segment_effects(m, 'engagement', '{chat,phone}', '{engagement_x_phone}') e;

\echo
\echo '--- 5. The key driver map, per region, as a results table the reader charts --------'
-- The map's drivers share the 1-5 scale, so their means (performance) compare across drivers.
SELECT exlink.publish('linked.cells', 'linked.rows', 'employee', '{region}', '{csat,engagement,coaching,tools,recognition}',
                      rollup => true, grant_to => '{map_reader}') \gset
SELECT exlink.publish_results('linked.driver_map', 'linked.cells', 'csat', '{engagement,coaching,tools,recognition}',
                              'driver_map', grant_to => '{map_reader}') \gset
GRANT USAGE ON SCHEMA linked TO map_reader;
SET ROLE map_reader;
SELECT coalesce(region, 'all') AS region, driver, round(importance::numeric, 1) AS "importance %",
       round(performance::numeric, 2) AS performance, quadrant, round(gain::numeric, 3) AS "gain / unit",
       '[' || round(gain_low::numeric, 3) || ', ' || round(gain_high::numeric, 3) || ']' AS "95% CI", status
  FROM linked.driver_map ORDER BY level, region NULLS FIRST, importance DESC;

-- The chart: one panel per region (and all), performance across, importance up, the cell's
-- medians as the quadrant lines; the reader draws it from the results table alone.
CREATE FUNCTION pg_temp.esc(t text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') $$;
\pset format unaligned
\pset tuples_only on
\o :map_chart
WITH cells AS (
    SELECT DISTINCT level, region, cell, importance_cut, performance_cut FROM linked.driver_map WHERE has_betas),
panel AS (
    SELECT c.*, row_number() OVER (ORDER BY c.level, c.region NULLS FIRST) - 1 AS i FROM cells c),
geo AS (
    SELECT p.*, 20 + (p.i % 3) * 330 AS x0, 60 + (p.i / 3) * 300 AS y0, 260.0 AS w, 220.0 AS h FROM panel p),
scale AS (
    SELECT min(performance) - 0.2 AS pmin, max(performance) + 0.2 AS pmax, 0.0 AS imin, max(importance) * 1.1 AS imax
      FROM linked.driver_map WHERE has_betas),
pts AS (
    SELECT g.*, d.driver, d.quadrant,
           g.x0 + 40 + g.w * (d.performance - s.pmin) / (s.pmax - s.pmin) AS px,
           g.y0 + 20 + g.h - g.h * (d.importance - s.imin) / (s.imax - s.imin) AS py
      FROM geo g JOIN linked.driver_map d USING (cell) CROSS JOIN scale s WHERE d.has_betas)
SELECT '<svg xmlns="http://www.w3.org/2000/svg" width="1010" height="' || (60 + 300 * ((SELECT max(i) FROM panel) / 3 + 1)) || '" font-family="sans-serif" font-size="11">'
       || '<style>.h{font-size:15px;font-weight:bold}.p{font-size:12px;font-weight:bold}.cut{stroke:#999;stroke-dasharray:4 3}.frame{fill:none;stroke:#ccc}</style>'
       || '<text x="20" y="28" class="h">Key driver map of CSAT per region: importance (LMG share of R², up) vs performance (mean, across)</text>'
       || '<text x="20" y="46">Dashed lines: the region''s medians. Top left: fix first; top right: keep; bottom left: monitor; bottom right: do not over-invest.</text>'
       || (SELECT string_agg(format('<text x="%s" y="%s" text-anchor="middle">performance (mean, %s to %s)</text>'
                                    '<text transform="translate(%s,%s) rotate(-90)" text-anchor="middle">importance (%% of R², 0 to %s)</text>',
                                    g.x0 + 40 + g.w / 2, g.y0 + g.h + 36, round(s.pmin::numeric, 1), round(s.pmax::numeric, 1),
                                    g.x0 + 30, g.y0 + 20 + g.h / 2, round(s.imax::numeric)), '')
             FROM geo g CROSS JOIN scale s)
       || (SELECT string_agg(format('<rect x="%s" y="%s" width="%s" height="%s" class="frame"/><text x="%s" y="%s" class="p">%s</text>'
                                    '<line x1="%s" y1="%s" x2="%s" y2="%s" class="cut"/><line x1="%s" y1="%s" x2="%s" y2="%s" class="cut"/>',
                                    g.x0 + 40, g.y0 + 20, g.w, g.h, g.x0 + 40, g.y0 + 14, pg_temp.esc(coalesce(g.region, 'all regions')),
                                    round((g.x0 + 40 + g.w * (g.performance_cut - s.pmin) / (s.pmax - s.pmin))::numeric, 1), g.y0 + 20,
                                    round((g.x0 + 40 + g.w * (g.performance_cut - s.pmin) / (s.pmax - s.pmin))::numeric, 1), g.y0 + 20 + g.h,
                                    g.x0 + 40, round((g.y0 + 20 + g.h - g.h * (g.importance_cut - s.imin) / (s.imax - s.imin))::numeric, 1),
                                    g.x0 + 40 + g.w, round((g.y0 + 20 + g.h - g.h * (g.importance_cut - s.imin) / (s.imax - s.imin))::numeric, 1)), '')
             FROM geo g CROSS JOIN scale s)
       || (SELECT string_agg(format('<circle cx="%s" cy="%s" r="5" fill="%s"/><text x="%s" y="%s">%s</text>',
                                    round(px::numeric, 1), round(py::numeric, 1),
                                    CASE quadrant WHEN 'fix first' THEN '#e76f51' WHEN 'keep' THEN '#2a9d8f'
                                                  WHEN 'monitor' THEN '#8d99ae' ELSE '#e9c46a' END,
                                    round((px + 7)::numeric, 1), round((py + 4)::numeric, 1), pg_temp.esc(driver)), '')
             FROM pts)
       || '</svg>';
\o
\pset format aligned
\pset tuples_only off
RESET ROLE;
\echo
\echo 'Key driver map written to' :map_chart
