-- Driver groups (issue 21) against R (test/data/groups_reference.R): the columns built by
-- exlink.dummies and exlink.piecewise_linear are lm()'s factor() and piecewise terms; per group,
-- LMG over groups (all 2^6 subsets in R), the summed relative weights and the Wald F (anova's
-- nested F for independent rows; vcovCL HC1 on G - 1 df; clubSandwich CR2 "HTZ"), to 1e-9
-- relative; serial and a forced parallel plan; the moments-value form; the guard; bad input.
CREATE TABLE dg_rows (member text, y float8, tenure float8, class text, hours float8,
                      engagement float8, segment text) WITH (fillfactor = 10);
\copy dg_rows FROM 'test/data/groups_data.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE dg_ref (grp text, lmg float8, lmg_share float8, relative_weight float8,
                     relative_weight_share float8,
                     iid_f float8, iid_df1 float8, iid_df2 float8, iid_p float8,
                     cr1_f float8, cr1_df1 float8, cr1_df2 float8, cr1_p float8,
                     cr2_f float8, cr2_df1 float8, cr2_df2 float8, cr2_p float8, r2 float8);
\copy dg_ref FROM 'test/data/groups_reference.csv' WITH (FORMAT csv, HEADER)
SELECT count(*) AS n, count(DISTINCT member) AS members FROM dg_rows;
CREATE FUNCTION dg_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-9 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;

-- The basis helpers on one row each.
SELECT exlink.dummies('B', ARRAY['A', 'B', 'C'], 'A') AS b_vs_a,
       exlink.dummies('A', ARRAY['A', 'B', 'C'], 'A') AS reference,
       exlink.dummies('A', ARRAY['A', 'B', 'C'], 'C') AS ref_last,
       exlink.dummies(NULL, ARRAY['A', 'B'], 'A') AS null_value,
       exlink.piecewise_linear(25, ARRAY[10, 20]) AS above,
       exlink.piecewise_linear(5, ARRAY[10, 20]) AS below,
       exlink.piecewise_linear(10, ARRAY[10]) AS at_knot,
       exlink.piecewise_linear(1, '{}') AS linear;

-- The model's columns, built in SQL.
CREATE VIEW dg_model_rows AS
SELECT member, y,
       ARRAY[tenure]
       || exlink.dummies(class, ARRAY['A', 'B', 'C'], 'A')
       || exlink.piecewise_linear(hours, ARRAY[10, 20])
       || ARRAY[engagement]
       || exlink.dummies(segment, ARRAY['A', 'B'], 'A')
       || ARRAY[engagement * (segment = 'B')::int] AS x
  FROM dg_rows;
CREATE TABLE dg_fit (how text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO dg_fit
SELECT inference, exlink.driver_weights(y, x, member,
           ARRAY['tenure', 'class_B', 'class_C', 'hours', 'hours_10', 'hours_20', 'engagement',
                 'segment_B', 'engagement_x_segment_B'], inference,
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment'])
  FROM dg_model_rows, (VALUES ('cluster'), ('cr1'), ('independent')) i(inference)
 GROUP BY inference;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
INSERT INTO dg_fit
SELECT 'parallel', exlink.driver_weights(y, x, member, NULL, 'cluster',
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment'])
  FROM dg_model_rows;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

SELECT how, (m).status, (m).inference, (m).clusters, cardinality((m).groups) AS groups,
       dg_close((m).r2, (SELECT r2 FROM dg_ref LIMIT 1)) AS r2_ok
  FROM dg_fit ORDER BY how;
-- Per group: every figure against R (method by inference; parallel is the CR2 default).
SELECT f.how, g.ordinal, g.name, g.columns, g.rank,
       dg_close(g.lmg, r.lmg) AND dg_close(g.lmg_share, r.lmg_share) AS lmg_ok,
       dg_close(g.relative_weight, r.relative_weight)
         AND dg_close(g.relative_weight_share, r.relative_weight_share) AS rw_ok,
       CASE f.how WHEN 'independent' THEN dg_close(g.f, r.iid_f) AND g.df1 = r.iid_df1 AND g.df2 = r.iid_df2 AND dg_close(g.p_value, r.iid_p)
                  WHEN 'cr1' THEN dg_close(g.f, r.cr1_f) AND g.df1 = r.cr1_df1 AND g.df2 = r.cr1_df2 AND dg_close(g.p_value, r.cr1_p)
                  ELSE dg_close(g.f, r.cr2_f) AND g.df1 = r.cr2_df1 AND dg_close(g.df2, r.cr2_df2) AND dg_close(g.p_value, r.cr2_p) END AS wald_ok
  FROM dg_fit f, exlink.driver_groups(f.m) g JOIN dg_ref r ON r.grp = g.name
 ORDER BY f.how, g.ordinal;
-- The HTZ test with members nested in teams (20 teams of three members: per-cluster sums),
-- serial and parallel, against clubSandwich (groups_reference_htz_team.csv).
CREATE TABLE dg_ref_team (grp text, f float8, df1 float8, df2 float8, p float8);
\copy dg_ref_team FROM 'test/data/groups_reference_htz_team.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE dg_fit_team (how text, m exlink.driver_model);
SET max_parallel_workers_per_gather = 0;
INSERT INTO dg_fit_team
SELECT 'serial', exlink.driver_weights(y, x, member, NULL, 'cluster',
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment'],
           't' || lpad(((substr(member, 2)::int - 1) / 3)::text, 2, '0'))
  FROM dg_model_rows;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
INSERT INTO dg_fit_team
SELECT 'parallel', exlink.driver_weights(y, x, member, NULL, 'cluster',
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment'],
           't' || lpad(((substr(member, 2)::int - 1) / 3)::text, 2, '0'))
  FROM dg_model_rows;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT f.how, (f.m).clusters, g.name, g.df1,
       dg_close(g.f, r.f) AND g.df1 = r.df1 AND dg_close(g.df2, r.df2) AND dg_close(g.p_value, r.p) AS htz_ok
  FROM dg_fit_team f, exlink.driver_groups(f.m) g JOIN dg_ref_team r ON r.grp = g.name
 ORDER BY f.how, g.ordinal;
-- Group LMG sums to R²; a one-column group's LMG is that column's LMG in the ungrouped model
-- only when every group is a single column: check that case on the same rows.
SELECT how, dg_close((SELECT sum(lmg) FROM exlink.driver_groups(m)), (m).r2) AS lmg_sums_to_r2
  FROM dg_fit ORDER BY how;
SELECT bool_and(dg_close(g.lmg, d.lmg) AND dg_close(g.relative_weight, d.relative_weight)) AS singletons_equal_drivers
  FROM (SELECT exlink.driver_weights(y, x[1:4], member, ARRAY['a', 'b', 'c', 'd'], 'cluster',
                                     ARRAY['a', 'b', 'c', 'd']) AS m FROM dg_model_rows) s,
       exlink.driver_groups(s.m) g JOIN exlink.drivers(s.m) d ON d.name = g.name;
-- Per-column betas stay: the same as without groups.
SELECT bool_and(a.beta = b.beta AND a.beta_se = b.beta_se) AS betas_unchanged
  FROM exlink.drivers((SELECT m FROM dg_fit WHERE how = 'cluster')) a
  JOIN (SELECT d.* FROM (SELECT exlink.driver_weights(y, x, member) AS m FROM dg_model_rows) s,
        exlink.drivers(s.m) d) b USING (ordinal);
-- Means and sds of the model: outcome first.
SELECT dg_close((m).means[1], (SELECT avg(y) FROM dg_rows)) AS mean_y,
       dg_close((m).sds[2], (SELECT stddev_samp(tenure) FROM dg_rows)) AS sd_tenure,
       cardinality((m).means) AS variables
  FROM dg_fit WHERE how = 'cluster';
-- The moments-value form: the same LMG; this value carries no cluster summary, so no F.
SELECT g.name, g.inference LIKE 'unavailable: a merged value has no cluster summary%' AS no_clustered_inference,
       dg_close(g.lmg, r.lmg) AS lmg_ok, g.f IS NULL AS no_f
  FROM (SELECT exlink.driver_weights(exlink.moments(ARRAY[y] || x, member), NULL, 'cluster',
            ARRAY['t', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                  'engagement_x_segment']) AS m FROM dg_model_rows) s,
       exlink.driver_groups(s.m) g JOIN dg_ref r ON r.grp = g.name OR (g.name = 't' AND r.grp = 'tenure')
 ORDER BY g.ordinal;
-- Without groups: no group rows; groups NULL.
SELECT (m).groups IS NULL AS no_groups, (SELECT count(*) FROM exlink.driver_groups(m)) AS rows
  FROM (SELECT exlink.driver_weights(y, x, member) AS m FROM dg_model_rows) s;

-- Guarded: below exlink.min_group_size members, every group figure is NULL (names only).
SELECT (m).suppressed, (m).means IS NULL AS no_means, g.name, g.lmg, g.relative_weight, g.f, g.p_value
  FROM (SELECT exlink.driver_weights(y, x, member, NULL, 'cluster',
            ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                  'engagement_x_segment']) AS m
          FROM dg_model_rows WHERE member IN ('e001', 'e002', 'e003')) s,
       exlink.driver_groups(s.m) g ORDER BY g.ordinal;
-- A zero-variance column is excluded; its group keeps the others, a group of only such columns
-- gets NULL figures.
SELECT g.name, g.columns, g.lmg IS NOT NULL AS has_lmg, g.df1
  FROM (SELECT exlink.driver_weights(y, x || ARRAY[1.0::float8], member, NULL, 'cluster',
            ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                  'segment', 'constant']) AS m FROM dg_model_rows) s,
       exlink.driver_groups(s.m) g ORDER BY g.ordinal;

-- Where more stops paying: the response curve of hours (piecewise linear, knots 10 and 20) and
-- engagement's slope by segment, against R (raw lm, CR2 covariance, t on the smallest
-- Satterthwaite df: groups_reference_curve.csv, groups_reference_segments.csv).
CREATE TABLE dg_ref_curve (x float8, predicted float8, effect float8, effect_low float8, effect_high float8,
                           slope float8, slope_low float8, slope_high float8, slope_p float8, flat_from float8);
\copy dg_ref_curve FROM 'test/data/groups_reference_curve.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE dg_ref_seg (segment text, slope float8, slope_low float8, slope_high float8,
                         difference float8, difference_low float8, difference_high float8, difference_p float8);
\copy dg_ref_seg FROM 'test/data/groups_reference_segments.csv' WITH (FORMAT csv, HEADER, NULL 'NA')
SELECT c.x, c.flat_from, r.flat_from AS r_flat_from,
       dg_close(c.predicted, r.predicted) AND dg_close(c.effect, r.effect)
         AND dg_close(c.effect_low, r.effect_low) AND dg_close(c.effect_high, r.effect_high) AS effect_ok,
       dg_close(c.slope, r.slope) AND dg_close(c.slope_low, r.slope_low)
         AND dg_close(c.slope_high, r.slope_high) AND dg_close(c.slope_p, r.slope_p) AS slope_ok
  FROM exlink.response_curve((SELECT m FROM dg_fit WHERE how = 'cluster'),
                             ARRAY['hours', 'hours_10', 'hours_20'],
                             ARRAY[40, 35, 30, 25, 20, 15, 10, 5, 0, 5, NULL], ARRAY[10, 20]) c
  JOIN dg_ref_curve r USING (x) ORDER BY c.x;
SELECT s.segment, dg_close(s.slope, r.slope) AND dg_close(s.slope_low, r.slope_low)
         AND dg_close(s.slope_high, r.slope_high) AS slope_ok,
       s.difference IS NULL AND r.difference IS NULL
         OR dg_close(s.difference, r.difference) AND dg_close(s.difference_low, r.difference_low)
            AND dg_close(s.difference_high, r.difference_high) AND dg_close(s.difference_p, r.difference_p) AS difference_ok
  FROM exlink.segment_effects((SELECT m FROM dg_fit WHERE how = 'cluster'), 'engagement',
                              ARRAY['A', 'B'], ARRAY['engagement_x_segment_B']) s
  JOIN dg_ref_seg r USING (segment) ORDER BY s.segment;
-- The contrast is the raw slope: one column with weight 1 is beta * sd(y) / sd(x), on the model's df.
SELECT dg_close(c.estimate, d.beta * (f.m).sds[1] / (f.m).sds[2]) AS raw_slope,
       dg_close(c.t, d.t) AS same_t, c.df = (f.m).df AS model_df
  FROM dg_fit f, exlink.driver_contrast(f.m, ARRAY['tenure'], ARRAY[1]) c, exlink.drivers(f.m) d
 WHERE f.how = 'independent' AND d.name = 'tenure';
-- A suppressed model: every figure NULL, flat_from too.
SELECT c.x, c.predicted, c.effect, c.slope, c.flat_from
  FROM (SELECT exlink.driver_weights(y, x, member,
           ARRAY['tenure', 'class_B', 'class_C', 'hours', 'hours_10', 'hours_20', 'engagement',
                 'segment_B', 'engagement_x_segment_B'], 'cluster',
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment']) AS m
          FROM dg_model_rows WHERE member IN ('e001', 'e002')) s,
       exlink.response_curve(s.m, ARRAY['hours', 'hours_10', 'hours_20'], ARRAY[0, 20], ARRAY[10, 20]) c;
SELECT * FROM exlink.driver_contrast((SELECT m FROM dg_fit WHERE how = 'cluster'), ARRAY['nope'], ARRAY[1]);
SELECT * FROM exlink.driver_contrast((SELECT m FROM dg_fit WHERE how = 'cluster'), ARRAY['tenure'], ARRAY[1, 2]);
SELECT * FROM exlink.driver_contrast((SELECT m FROM dg_fit WHERE how = 'cluster'), ARRAY['tenure'], ARRAY[1], 1.5);
DROP TABLE dg_ref_curve, dg_ref_seg;

-- The natural spline basis is splines::ns() (values inside and beyond the boundary, and the
-- first derivative), and a model with hours as ns(hours, c(10, 20), c(0, 40)): the hours group's
-- LMG and CR2 F, and its response curve, against R (groups_reference_ns*.csv).
CREATE TABLE dg_ref_ns (x float8, b1 float8, b2 float8, b3 float8, d1 float8, d2 float8, d3 float8);
\copy dg_ref_ns FROM 'test/data/groups_reference_ns.csv' WITH (FORMAT csv, HEADER)
CREATE FUNCTION dg_close_abs(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= 1e-12 + 1e-9 * abs(b), a IS NULL AND b IS NULL) $$;
SELECT r.x, dg_close_abs(v[1], b1) AND dg_close_abs(v[2], b2) AND dg_close_abs(v[3], b3) AS basis_ok,
       dg_close_abs(d[1], d1) AND dg_close_abs(d[2], d2) AND dg_close_abs(d[3], d3) AS derivative_ok
  FROM dg_ref_ns r,
       LATERAL (SELECT exlink.natural_spline(r.x, ARRAY[10, 20], ARRAY[0, 40]) AS v,
                       exlink.natural_spline(r.x, ARRAY[10, 20], ARRAY[0, 40], 1) AS d) s
 ORDER BY r.x;
-- No interior knot: R's ns(5, Boundary.knots = c(0, 10)) is 0.40089186286863654.
SELECT dg_close_abs((exlink.natural_spline(5, '{}', ARRAY[0, 10]))[1], 0.40089186286863654) AS no_interior_knot;
CREATE TABLE dg_ref_ns_curve (x float8, effect float8, effect_low float8, effect_high float8,
                              slope float8, slope_low float8, slope_high float8,
                              lmg_hours float8, f_hours float8, p_hours float8);
\copy dg_ref_ns_curve FROM 'test/data/groups_reference_ns_curve.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE dg_ns_fit AS
SELECT exlink.driver_weights(y,
           x[1:3] || exlink.natural_spline(hours, ARRAY[10, 20], ARRAY[0, 40]) || x[7:9], member,
           ARRAY['tenure', 'class_B', 'class_C', 'ns1', 'ns2', 'ns3', 'engagement', 'segment_B',
                 'engagement_x_segment_B'], 'cluster',
           ARRAY['tenure', 'class', 'class', 'hours', 'hours', 'hours', 'engagement', 'segment',
                 'engagement_x_segment']) AS m
  FROM dg_model_rows JOIN dg_rows USING (member, y);
SELECT g.name, dg_close(g.lmg, r.lmg_hours) AS lmg_ok, dg_close(g.f, r.f_hours) AND dg_close(g.p_value, r.p_hours) AS f_ok
  FROM dg_ns_fit, exlink.driver_groups(m) g, (SELECT * FROM dg_ref_ns_curve LIMIT 1) r
 WHERE g.name = 'hours';
SELECT c.x, c.flat_from,
       dg_close(c.effect, r.effect) AND dg_close(c.effect_low, r.effect_low) AND dg_close(c.effect_high, r.effect_high) AS effect_ok,
       dg_close(c.slope, r.slope) AND dg_close(c.slope_low, r.slope_low) AND dg_close(c.slope_high, r.slope_high) AS slope_ok
  FROM dg_ns_fit, exlink.response_curve(m, ARRAY['ns1', 'ns2', 'ns3'], ARRAY[0, 5, 10, 15, 20, 25, 30, 35, 40],
                                        ARRAY[10, 20], ARRAY[0, 40]) c
  JOIN dg_ref_ns_curve r USING (x) ORDER BY c.x;
SELECT exlink.natural_spline(1, ARRAY[10], ARRAY[0, 5]);
SELECT exlink.natural_spline(1, ARRAY[2], ARRAY[5, 0]);
SELECT exlink.natural_spline(1, ARRAY[2], ARRAY[0, 5], 3);
-- Extreme inputs (found by hostile tests): an infinite x gives NULL as NaN does (linear
-- extrapolation would be infinity times the zero slopes, NaN); boundary and knots so far apart
-- or so close together that the basis overflows are refused (22003), not returned as NaN.
SELECT exlink.natural_spline('Infinity', ARRAY[2], ARRAY[0, 5]) AS inf_x,
       exlink.natural_spline('-Infinity', ARRAY[2], ARRAY[0, 5], 1) AS minus_inf_x,
       exlink.natural_spline('NaN', ARRAY[2], ARRAY[0, 5]) AS nan_x;
SELECT exlink.natural_spline(1, ARRAY[1], ARRAY[-1e308, 1e308]);
SELECT exlink.natural_spline(1, ARRAY[1e-320], ARRAY[0, 2e-320]);
DROP TABLE dg_ref_ns, dg_ref_ns_curve, dg_ns_fit;
DROP FUNCTION dg_close_abs(float8, float8);

-- More than 24 columns (no per-column LMG) in at most 24 groups: the group LMG is still exact,
-- here with two collinear columns (tenure x engagement, twice), where betas are not defined.
SELECT (m).status, cardinality((m).groups) AS groups,
       dg_close((SELECT sum(g.lmg) FROM exlink.driver_groups(m) g), (m).r2) AS group_lmg_sums_to_r2,
       (SELECT count(*) FROM exlink.drivers(m) d WHERE d.lmg IS NOT NULL) AS columns_with_lmg
  FROM (SELECT exlink.driver_weights(y, ARRAY[tenure, hours, engagement, hours * tenure, tenure + hours * hours / 40,
                                              sqrt(hours), ln(1 + tenure), engagement * tenure, engagement * hours]
                                        || ARRAY[tenure ^ 2, hours ^ 2, engagement ^ 2, (hours * tenure) ^ 2, (tenure - 5) ^ 3,
                                                 hours ^ 3 / 100, tenure ^ 3 / 10, engagement ^ 3, (engagement * hours) ^ 2 / 100]
                                        || ARRAY[tenure * engagement + 1, hours * engagement / 10, engagement ^ 4 / 10,
                                                 tenure * hours * engagement / 100, sqrt(tenure + 1), sqrt(engagement + 3),
                                                 ln(1 + hours), cos(tenure), sin(hours / 10)],
                                     member, NULL, 'cluster',
                                     ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
                                           'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) AS m
          FROM dg_rows) s;

-- Bad input.
SELECT exlink.dummies('D', ARRAY['A', 'B', 'C'], 'A');
SELECT exlink.dummies('A', ARRAY['A', 'B', 'C'], 'Z');
SELECT exlink.dummies('A', ARRAY['A', 'A'], 'A');
SELECT exlink.dummies('A', ARRAY['A'], 'A');
SELECT exlink.piecewise_linear(1, ARRAY[20, 10]);
SELECT exlink.piecewise_linear(1, ARRAY[NULL]::float8[]);
SELECT exlink.piecewise_linear(1e308, ARRAY[-1e308]);                  -- x - knot overflows: 22003
SELECT exlink.piecewise_linear('Infinity', ARRAY[-1e308]) AS infinite_x;   -- infinite x stays infinite
SELECT exlink.driver_weights(y, x, member, NULL, 'cluster', ARRAY['a', 'b']) FROM dg_model_rows;
SELECT exlink.driver_weights(y, x, member, NULL, 'cluster', ARRAY[member, 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) FROM dg_model_rows;
SELECT exlink.driver_weights(y, x, member, NULL, 'cluster', ARRAY[NULL, 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) FROM dg_model_rows;
DROP VIEW dg_model_rows;
DROP TABLE dg_rows, dg_ref, dg_fit;
DROP FUNCTION dg_close(float8, float8);
