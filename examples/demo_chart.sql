-- exlink demo: the chart, written as SVG straight from SQL (no external tool).
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Included by examples/demo.sql (needs its temp table "recovered", truth.planted_effects and
-- published.team_wave).  Top: ranked drivers per CX outcome, bars = recovered standardized
-- effects, black ticks = planted truth.  Bottom: team means, EX vs CX.

CREATE FUNCTION pg_temp.esc(t text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') $$;
CREATE FUNCTION pg_temp.txt(x float8, y float8, t text, attrs text DEFAULT '') RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT format('<text x="%s" y="%s" %s>%s</text>', round(x::numeric, 1), round(y::numeric, 1), attrs, pg_temp.esc(t)) $$;

-- A scatter plot with axes, 5 ticks per axis and the least-squares line.
CREATE FUNCTION pg_temp.scatter(x0 float8, y0 float8, w float8, h float8, xs float8[], ys float8[],
                                title text, xlabel text, ylabel text, colour text)
    RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    xmin float8; xmax float8; ymin float8; ymax float8; pad float8;
    px float8 := x0 + 60; py float8 := y0 + 30; pw float8 := w - 80; ph float8 := h - 80;
    out text := ''; sl float8; ic float8; r float8; v float8; step float8; mag float8;
BEGIN
    SELECT min(a), max(a) INTO xmin, xmax FROM unnest(xs) a;
    SELECT min(a), max(a) INTO ymin, ymax FROM unnest(ys) a;
    pad := (xmax - xmin) * 0.05; xmin := xmin - pad; xmax := xmax + pad;
    pad := (ymax - ymin) * 0.05; ymin := ymin - pad; ymax := ymax + pad;
    SELECT regr_slope(b, a), regr_intercept(b, a), corr(b, a) INTO sl, ic, r
      FROM unnest(xs, ys) u(a, b);
    out := out || pg_temp.txt(x0, y0 + 12, title, 'class="h2"');
    out := out || format('<rect x="%s" y="%s" width="%s" height="%s" class="frame"/>', px, py, pw, ph);
    -- "nice" ticks: a step of 1, 2 or 5 times a power of ten, about 5 per axis
    step := (xmax - xmin) / 6; mag := power(10, floor(log(step)));
    step := mag * CASE WHEN step / mag <= 1 THEN 1 WHEN step / mag <= 2 THEN 2 WHEN step / mag <= 5 THEN 5 ELSE 10 END;
    v := ceil(xmin / step) * step;
    WHILE v <= xmax LOOP
        out := out || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="grid"/>',
                             round((px + pw * (v - xmin) / (xmax - xmin))::numeric, 1), py,
                             round((px + pw * (v - xmin) / (xmax - xmin))::numeric, 1), py + ph)
                   || pg_temp.txt(px + pw * (v - xmin) / (xmax - xmin), py + ph + 16,
                                  round(v::numeric, greatest(0, -floor(log(step)))::int)::text, 'class="tick" text-anchor="middle"');
        v := v + step;
    END LOOP;
    step := (ymax - ymin) / 6; mag := power(10, floor(log(step)));
    step := mag * CASE WHEN step / mag <= 1 THEN 1 WHEN step / mag <= 2 THEN 2 WHEN step / mag <= 5 THEN 5 ELSE 10 END;
    v := ceil(ymin / step) * step;
    WHILE v <= ymax LOOP
        out := out || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="grid"/>',
                             px, round((py + ph - ph * (v - ymin) / (ymax - ymin))::numeric, 1),
                             px + pw, round((py + ph - ph * (v - ymin) / (ymax - ymin))::numeric, 1))
                   || pg_temp.txt(px - 6, py + ph - ph * (v - ymin) / (ymax - ymin) + 4,
                                  round(v::numeric, greatest(0, -floor(log(step)))::int)::text, 'class="tick" text-anchor="end"');
        v := v + step;
    END LOOP;
    out := out || pg_temp.txt(px + pw / 2, py + ph + 36, xlabel, 'class="axis" text-anchor="middle"')
               || format('<text transform="translate(%s,%s) rotate(-90)" class="axis" text-anchor="middle">%s</text>',
                         x0 + 14, py + ph / 2, pg_temp.esc(ylabel));
    SELECT out || string_agg(format('<circle cx="%s" cy="%s" r="3.6" fill="%s" fill-opacity="0.55" stroke="%s" stroke-width="0.6"/>',
                                    round((px + pw * (a - xmin) / (xmax - xmin))::numeric, 1),
                                    round((py + ph - ph * (b - ymin) / (ymax - ymin))::numeric, 1), colour, colour), '')
      INTO out FROM unnest(xs, ys) u(a, b);
    -- least-squares line, clipped to the frame horizontally
    out := out || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="fit"/>',
                         px, round((py + ph - ph * (ic + sl * xmin - ymin) / (ymax - ymin))::numeric, 1),
                         px + pw, round((py + ph - ph * (ic + sl * xmax - ymin) / (ymax - ymin))::numeric, 1))
               || pg_temp.txt(px + 8, py + 16, format('r = %s, %s teams', round(r::numeric, 2), array_length(xs, 1)), 'class="note"');
    RETURN out;
END $$;

\pset format unaligned
\pset tuples_only on
\if :{?chart} \else \set chart examples/out/drivers.svg \endif
\o :chart
WITH bars AS (
    SELECT r.outcome, r.measure, r.beta, p.std_beta AS planted,
           array_position(ARRAY['csat', 'nps', 'effort'], r.outcome) - 1 AS panel,
           row_number() OVER (PARTITION BY r.outcome ORDER BY abs(r.beta) DESC, r.measure) - 1 AS rw,
           CASE WHEN (r.beta > 0) = (r.outcome <> 'effort') THEN '#2a9d8f' ELSE '#e76f51' END AS colour
      FROM recovered r JOIN truth.planted_effects p USING (outcome, measure)
), geo AS (
    SELECT b.*, 20 + panel * 390 AS px, 112 + rw * 32 AS py, 20 + panel * 390 + 235 AS zx, 360.0 AS s
      FROM bars b
), panels AS (
    SELECT string_agg(
             pg_temp.txt(px + 5, 88, CASE outcome WHEN 'csat' THEN 'CSAT (1–5)' WHEN 'nps' THEN 'NPS score (0–10)'
                                      ELSE 'Customer effort (1–7, lower is better)' END, 'class="h2"')
             || format('<line x1="%s" y1="100" x2="%s" y2="338" class="zero"/>', zx, zx)
             || format('<line x1="%s" y1="338" x2="%s" y2="338" class="grid"/>', zx - 90, zx + 90)
             || pg_temp.txt(zx - 90, 352, '−0.25', 'class="tick" text-anchor="middle"')
             || pg_temp.txt(zx, 352, '0', 'class="tick" text-anchor="middle"')
             || pg_temp.txt(zx + 90, 352, '+0.25', 'class="tick" text-anchor="middle"'), '') AS svg
      FROM (SELECT DISTINCT outcome, px, zx FROM geo) p
), rows AS (
    SELECT string_agg(
             pg_temp.txt(px + 118, py + 15, replace(measure, '_', ' '), 'class="label" text-anchor="end"')
             || format('<rect x="%s" y="%s" width="%s" height="20" rx="2" fill="%s"/>',
                       round(least(zx, zx + beta * s)::numeric, 1), py, round(abs(beta * s)::numeric, 1), colour)
             || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="planted"/>',
                       round((zx + planted * s)::numeric, 1), py - 3, round((zx + planted * s)::numeric, 1), py + 23)
             || pg_temp.txt(CASE WHEN beta >= 0 THEN zx + greatest(beta, planted, 0) * s + 5
                                 ELSE zx + least(beta, planted, 0) * s - 5 END,
                            py + 15, to_char(beta, 'FMS0.000'),
                            CASE WHEN beta >= 0 THEN 'class="value"' ELSE 'class="value" text-anchor="end"' END), '') AS svg
      FROM geo
), teams AS (
    SELECT team, exlink.means(exlink.merge(moments)) AS mu FROM published.team_wave GROUP BY team
), sc1 AS (
    SELECT pg_temp.scatter(20, 392, 570, 330, array_agg(mu[5] ORDER BY team), array_agg(mu[2] ORDER BY team),
                           'Teams: enablement vs customer NPS score (all waves)',
                           'team mean enablement (1–5)', 'mean NPS score (0–10)', '#264653') AS svg FROM teams
), sc2 AS (
    SELECT pg_temp.scatter(610, 392, 570, 330, array_agg(enps::float8 ORDER BY team), array_agg(nps_score::float8 ORDER BY team),
                           'Teams: eNPS vs customer NPS (wave 3)',
                           'employee NPS (eNPS)', 'customer NPS', '#8a5a9e') AS svg
      FROM published.team_wave WHERE period = 3
)
SELECT '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="740" viewBox="0 0 1200 740" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">'
    || '<style>.h1{font-size:19px;font-weight:bold;fill:#1d3557}.sub{font-size:12.5px;fill:#555}'
    || '.h2{font-size:14px;font-weight:bold;fill:#1d3557}.label{font-size:12.5px;fill:#222}'
    || '.value{font-size:11px;fill:#444}.tick{font-size:10.5px;fill:#666}.axis{font-size:12px;fill:#333}'
    || '.note{font-size:12px;fill:#333}.zero{stroke:#888;stroke-width:1}.grid{stroke:#ddd;stroke-width:1}'
    || '.planted{stroke:#111;stroke-width:2.5}.frame{fill:none;stroke:#ccc}.fit{stroke:#c1121f;stroke-width:1.6;stroke-dasharray:5 3}</style>'
    || '<rect width="100%" height="100%" fill="white"/>'
    || pg_temp.txt(20, 30, 'What drives the customer experience? Key drivers recovered by exlink', 'class="h1"')
    || pg_temp.txt(20, 52, format('Standardized effect of each EX measure (bars: exlink.driver_weights over %s published team×wave cells, %s linked transactions) vs the planted truth (black ticks).',
                                  (SELECT count(*) FROM published.team_wave),
                                  (SELECT exlink.n(exlink.merge(moments)) FROM published.team_wave)), 'class="sub"')
    || pg_temp.txt(20, 68, 'Green: better for customers; orange: worse. Bottom: team means, only teams with at least k = 5 employees are published.', 'class="sub"')
    || panels.svg || rows.svg || sc1.svg || sc2.svg || '</svg>'
  FROM panels, rows, sc1, sc2;
\o
\pset format aligned
\pset tuples_only off
