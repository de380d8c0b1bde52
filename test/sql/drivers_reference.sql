-- exlink.driver_weights against independent reference figures from R (test/data/drivers_reference.R):
-- lm() on standardized data, Johnson's published formula, LMG by full subset enumeration.
-- Tolerance: 1e-9 relative (absolute 1e-12 for figures near zero).
CREATE TABLE dref_model (set text, n bigint, r2 float8, adj_r2 float8, condition_number float8);
CREATE TABLE dref_drivers (set text, ordinal int, beta float8, beta_se float8, t float8, p_value float8,
                           pratt float8, relative_weight float8, lmg float8);
\copy dref_model FROM 'test/data/drivers_reference_model.csv' WITH (FORMAT csv, HEADER)
\copy dref_drivers FROM 'test/data/drivers_reference_drivers.csv' WITH (FORMAT csv, HEADER)

CREATE TABLE dref_swiss (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8);
CREATE TABLE dref_mtcars (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8);
CREATE TABLE dref_synth12 (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8,
                           x7 float8, x8 float8, x9 float8, x10 float8, x11 float8, x12 float8);
CREATE TABLE dref_synth20 (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8,
                           x7 float8, x8 float8, x9 float8, x10 float8, x11 float8, x12 float8,
                           x13 float8, x14 float8, x15 float8, x16 float8, x17 float8, x18 float8,
                           x19 float8, x20 float8);
\copy dref_swiss FROM 'test/data/drivers_swiss.csv' WITH (FORMAT csv, HEADER)
\copy dref_mtcars FROM 'test/data/drivers_mtcars.csv' WITH (FORMAT csv, HEADER)
\copy dref_synth12 FROM 'test/data/drivers_synth12.csv' WITH (FORMAT csv, HEADER)
\copy dref_synth20 FROM 'test/data/drivers_synth20.csv' WITH (FORMAT csv, HEADER)

CREATE TABLE dref_fit AS
SELECT 'swiss' AS set, exlink.driver_weights(y, ARRAY[x1, x2, x3, x4, x5],
           ARRAY['Agriculture', 'Examination', 'Education', 'Catholic', 'Infant.Mortality']) AS m
  FROM dref_swiss
UNION ALL
SELECT 'mtcars', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4, x5, x6], ARRAY['cyl', 'disp', 'hp', 'drat', 'wt', 'qsec'])
  FROM dref_mtcars
UNION ALL
SELECT 'synth12', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12])
  FROM dref_synth12
UNION ALL
SELECT 'synth20', exlink.driver_weights(y, ARRAY[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
                                                 x11, x12, x13, x14, x15, x16, x17, x18, x19, x20])
  FROM dref_synth20;

CREATE FUNCTION dref_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs(a - b) <= greatest(1e-9 * abs(b), 1e-12) $$;

-- Model figures.
SELECT f.set, (f.m).n = r.n AS n_ok, (f.m).status,
       dref_close((f.m).r2, r.r2) AS r2_ok, dref_close((f.m).adj_r2, r.adj_r2) AS adj_r2_ok,
       dref_close((f.m).condition_number, r.condition_number) AS condition_ok,
       round((f.m).r2::numeric, 6) AS r2
  FROM dref_fit f JOIN dref_model r USING (set)
 ORDER BY f.set COLLATE "C";

-- Per-driver figures: every one within tolerance (any failure is listed below with both values).
SELECT f.set, count(*) AS drivers,
       bool_and(dref_close(d.beta, r.beta)) AS beta_ok,
       bool_and(dref_close(d.beta_se, r.beta_se)) AS se_ok,
       bool_and(dref_close(d.t, r.t)) AS t_ok,
       bool_and(dref_close(d.p_value, r.p_value)) AS p_ok,
       bool_and(dref_close(d.pratt, r.pratt)) AS pratt_ok,
       bool_and(dref_close(d.relative_weight, r.relative_weight)) AS rw_ok,
       bool_and(dref_close(d.lmg, r.lmg)) AS lmg_ok
  FROM dref_fit f CROSS JOIN LATERAL exlink.drivers(f.m) d
  JOIN dref_drivers r ON r.set = f.set AND r.ordinal = d.ordinal
 GROUP BY f.set ORDER BY f.set COLLATE "C";
SELECT f.set, d.name, fig, got, want
  FROM dref_fit f CROSS JOIN LATERAL exlink.drivers(f.m) d
  JOIN dref_drivers r ON r.set = f.set AND r.ordinal = d.ordinal
  CROSS JOIN LATERAL (VALUES ('beta', d.beta, r.beta), ('beta_se', d.beta_se, r.beta_se), ('t', d.t, r.t),
                  ('p_value', d.p_value, r.p_value), ('pratt', d.pratt, r.pratt),
                  ('relative_weight', d.relative_weight, r.relative_weight), ('lmg', d.lmg, r.lmg)) v(fig, got, want)
 WHERE NOT dref_close(got, want) OR got IS NULL;

-- The swiss LMG values as Grömping (2006) presents them (relaimpo, lmg; R² = 70.67 %).
SELECT d.name, round(d.lmg::numeric, 4) AS lmg, round(d.lmg_share::numeric, 2) AS lmg_share_pct, d.rank
  FROM dref_fit f, exlink.drivers(f.m) d
 WHERE f.set = 'swiss' ORDER BY d.ordinal;

DROP TABLE dref_model, dref_drivers, dref_swiss, dref_mtcars, dref_synth12, dref_synth20, dref_fit;
DROP FUNCTION dref_close(float8, float8);
