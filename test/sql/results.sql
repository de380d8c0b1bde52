-- Results tables (exlink.publish_results): per released cell of a materialized publication, the
-- key-driver model (one row per driver) and the correlations (one row per outcome-driver pair),
-- clustered by member, released, held back and hidden with the cell.  Every figure is checked
-- against the aggregates run by the custodian over the cell's own rows.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
CREATE SCHEMA res;
-- Two regions, five teams of 4 to 22 employees with 1 to 4 rows each; rows the cells skip (a
-- NULL or NaN measure, an empty member) must be skipped by the results too.
CREATE TABLE res.src (region text, team text, employee text, csat float8, engagement float8, tenure float8, training float8);
INSERT INTO res.src
SELECT r, t, t || '-' || e,
       round((3 + 0.4 * sin(e * 1.7) + 0.3 * ((e * 7 + j) % 5) - 0.2 * cos(j * e))::numeric, 3)::float8,
       round((3 + sin(e * 2.3) + 0.2 * j)::numeric, 3)::float8,
       (e % 9) + 0.5 * (j % 2),
       round((2 + cos(e * 0.9 + j))::numeric, 3)::float8
  FROM (VALUES ('north', 'alpha', 22), ('north', 'beta', 4), ('north', 'gamma', 9), ('north', 'zeta', 8),
               ('south', 'delta', 14), ('south', 'eps', 11)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 1 + (e % 4)) AS j;
INSERT INTO res.src VALUES ('south', 'delta', 'delta-1', NULL, 1, 1, 1), ('south', 'delta', 'delta-2', 'NaN', 1, 1, 1),
                           ('south', 'delta', '', 5, 1, 1, 1), ('south', 'delta', NULL, 5, 1, 1, 1);
SELECT exlink.publish('res.cells', 'res.src', 'employee', '{region,team}', '{csat,engagement,tenure,training}', rollup => true);
SELECT exlink.publish_results('res.drivers', 'res.cells', 'csat', '{engagement,tenure,training}');
SELECT exlink.publish_results('res.pairs', 'res.cells', 'csat', '{engagement,tenure,training}', statistic => 'correlations');
SELECT object, publication, statistic, outcome, drivers, grantees FROM exlink.result_tables ORDER BY object::text COLLATE "C";

-- The columns a BI tool sees.
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'res.drivers'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'res.pairs'::regclass AND attnum > 0 ORDER BY attnum;

-- Every column of the publication and of both results tables says what it holds.
SELECT c.relname, count(*) AS columns, count(col_description(c.oid, a.attnum)) AS commented
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.oid IN ('res.cells'::regclass, 'res.drivers'::regclass, 'res.pairs'::regclass)
 GROUP BY c.relname ORDER BY 1;
SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a
 WHERE a.attrelid = 'res.drivers'::regclass AND a.attname IN ('level', 'members', 'lmg_share', 'status') ORDER BY a.attnum;
SELECT col_description('res.cells'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'res.cells'::regclass AND attname = 'moments'));

-- Rows: one per released cell and driver, the cells of the publication exactly (beta, with 4
-- members, is suppressed, and so is its complement zeta).
SELECT c.region, c.team, c.level, c.members, count(d.*) AS driver_rows, count(p.*) AS pair_rows
  FROM res.cells c LEFT JOIN res.drivers d USING (cell) LEFT JOIN res.pairs p ON p.cell = c.cell AND p.ordinal = d.ordinal
 GROUP BY 1, 2, 3, 4 ORDER BY c.level, c.region COLLATE "C", c.team COLLATE "C";
SELECT count(*) AS result_rows_of_unpublished_cells FROM res.drivers d WHERE NOT EXISTS (SELECT FROM res.cells c WHERE c.cell = d.cell);

-- Every figure equals the custodian's aggregate over the cell's own rows (complete in all the
-- publication's measures, with a member), clustered by member.
CREATE TEMP TABLE truth AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level,
       exlink.driver_weights(csat, ARRAY[engagement, tenure, training], employee, '{engagement,tenure,training}') AS m,
       ARRAY[exlink.linked_correlation(csat, engagement, employee), exlink.linked_correlation(csat, tenure, employee),
             exlink.linked_correlation(csat, training, employee)] AS cors,
       count(*) AS responses, count(DISTINCT employee) AS members
  FROM res.src
 WHERE employee <> '' AND csat < 'Infinity' AND engagement < 'Infinity' AND tenure < 'Infinity' AND training < 'Infinity'
 GROUP BY ROLLUP (region, team);
SELECT count(*) AS driver_rows_checked,
       max(abs(d.beta - t.beta)) < 1e-12 AS beta_ok,
       max(abs(d.beta_se - t.beta_se)) < 1e-12 AS se_ok,
       max(abs(d.ci_low - t.ci_low) + abs(d.ci_high - t.ci_high)) < 1e-12 AS ci_ok,
       max(abs(d.p_value - t.p_value)) < 1e-12 AS p_ok,
       max(abs(d.relative_weight_share - t.relative_weight_share) + abs(d.lmg_share - t.lmg_share)) < 1e-9 AS shares_ok,
       bool_and(d.rank = t.rank AND d.df = t.df AND d.clusters = t.clusters AND d.inference = t.inference
                AND CASE d.status WHEN 'ok' THEN t.status = 'ok' ELSE d.status_detail = t.status END) AS labels_ok,
       bool_and(d.responses = t.n AND d.members = t.members) AS counts_ok,
       max(abs(d.r2 - t.r2)) < 1e-12 AS r2_ok,
       -- max() skips NULLs: a figure NULL on one side only is counted here
       count(*) FILTER (WHERE (d.beta IS NULL) <> (t.beta IS NULL) OR (d.ci_low IS NULL) <> (t.ci_low IS NULL)
                           OR (d.p_value IS NULL) <> (t.p_value IS NULL) OR (d.lmg_share IS NULL) <> (t.lmg_share IS NULL)
                           OR (d.relative_weight_share IS NULL) <> (t.relative_weight_share IS NULL)
                           OR (d.r2 IS NULL) <> (t.r2 IS NULL)) AS null_mismatches
  FROM res.drivers d
  JOIN (SELECT tr.region, tr.team, tr.level, x.*
          FROM truth tr, exlink.drivers(tr.m) x) t
    ON t.level = d.level AND t.region IS NOT DISTINCT FROM d.region AND t.team IS NOT DISTINCT FROM d.team AND t.ordinal = d.ordinal
 WHERE d.beta_se IS NOT NULL;
SELECT count(*) AS pair_rows_checked,
       max(abs(p.r - (t.c).r)) < 1e-12 AS r_ok,
       max(abs(p.ci_low - (t.c).ci_low) + abs(p.ci_high - (t.c).ci_high)) < 1e-12 AS ci_ok,
       max(abs(p.p_value - (t.c).p_value)) < 1e-12 AS p_ok,
       bool_and(p.clusters = (t.c).clusters AND p.df = (t.c).df AND p.inference = (t.c).inference
                AND CASE p.status WHEN 'ok' THEN (t.c).status = 'ok' ELSE p.status_detail = (t.c).status END) AS labels_ok,
       count(*) FILTER (WHERE (p.r IS NULL) <> ((t.c).r IS NULL) OR (p.ci_low IS NULL) <> ((t.c).ci_low IS NULL)
                           OR (p.p_value IS NULL) <> ((t.c).p_value IS NULL)) AS null_mismatches
  FROM res.pairs p
  JOIN (SELECT tr.region, tr.team, tr.level, c, o FROM truth tr, unnest(tr.cors) WITH ORDINALITY AS u(n, members, r, t, df, p_value, ci_low, ci_high, suppressed, status, skipped, lvl, clusters, inference, o)
          CROSS JOIN LATERAL (SELECT (u.n, u.members, u.r, u.t, u.df, u.p_value, u.ci_low, u.ci_high, u.suppressed, u.status, u.skipped, u.lvl, u.clusters, u.inference)::exlink.correlation AS c) cc) t
    ON t.level = p.level AND t.region IS NOT DISTINCT FROM p.region AND t.team IS NOT DISTINCT FROM p.team AND t.o = p.ordinal
 WHERE p.p_value IS NOT NULL;

-- Inference is withheld below 15 members here: the cells publish the moments of 4 measures (4
-- means, 10 co-moments) and the two results tables 15 figures that are not functions of them
-- (the drivers' covariance, 6, and Satterthwaite df, 3; the pairs' standard errors, 3, and
-- jackknife df, 3), and G members with 4 values each must give 4G >= 2 (14 + 15) (the counting
-- argument of docs/security.md): gamma (9 employees), eps (11) and delta (14) show betas,
-- correlations and shares but no standard error, interval, p or df (status withheld).
SELECT region, team, members, driver, beta IS NOT NULL AS beta_shown, beta_se, ci_low, p_value, inference,
       has_betas, inference_shown, status, status_detail
  FROM res.drivers WHERE team = 'gamma' ORDER BY ordinal;
SELECT team, members, driver, p_value IS NOT NULL AS p_shown, inference, has_r, inference_shown, status FROM res.pairs WHERE team = 'gamma' ORDER BY ordinal;
SELECT DISTINCT team, members, inference, status FROM res.drivers WHERE level = 2 ORDER BY 1;
-- One vocabulary: every status of both tables is a code, the booleans agree with the figures.
SELECT 'drivers' AS results, status, has_betas, inference_shown, count(*) AS rows_,
       bool_and((beta IS NOT NULL) = has_betas AND (lmg_share IS NOT NULL) = has_betas AND (rank IS NOT NULL) = has_betas) AS betas_agree,
       bool_and((ci_low IS NOT NULL) = inference_shown AND (p_value IS NOT NULL) = inference_shown
                AND (inference IS NOT NULL) = inference_shown) AS inference_agrees
  FROM res.drivers GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'correlations', status, has_r, inference_shown, count(*),
       bool_and((r IS NOT NULL) = has_r),
       bool_and((ci_low IS NOT NULL) = inference_shown AND (p_value IS NOT NULL) = inference_shown)
  FROM res.pairs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;

-- Multiplicity: p_adjusted is the Benjamini-Hochberg adjustment of p_value over the family of
-- all the p-values the results table shows (every level, cell and driver).  Checked here by an
-- independent formula (Benjamini and Hochberg's: the least m p_j / rank_j over the p_j >= p,
-- rank_j the number of p-values <= p_j) and below against R's p.adjust.
SELECT t AS results, count(p_value) AS in_family, count(*) - count(p_value) AS not_in_family,
       bool_and((p_adjusted IS NULL) = (p_value IS NULL)) AS null_where_no_p,
       bool_and(p_adjusted >= p_value AND p_adjusted <= 1) AS bounded,
       max(abs(p_adjusted - bh)) < 1e-12 AS equals_definition
  FROM (SELECT 'drivers' AS t, x.p_value, x.p_adjusted,
               (SELECT min(least(1, m.m * y.p_value / (SELECT count(*) FROM res.drivers z WHERE z.p_value <= y.p_value)))
                  FROM res.drivers y WHERE y.p_value >= x.p_value) AS bh
          FROM res.drivers x, (SELECT count(p_value)::float8 AS m FROM res.drivers) m
        UNION ALL
        SELECT 'correlations', x.p_value, x.p_adjusted,
               (SELECT min(least(1, m.m * y.p_value / (SELECT count(*) FROM res.pairs z WHERE z.p_value <= y.p_value)))
                  FROM res.pairs y WHERE y.p_value >= x.p_value)
          FROM res.pairs x, (SELECT count(p_value)::float8 AS m FROM res.pairs) m) s
 GROUP BY t ORDER BY t;
-- ... and the adjustment itself (exlink.with_p_adjusted, which every results table uses) equals
-- R's p.adjust(method = "BH") on fixed p-values (test/data/bh_reference.R): 200 p-values with
-- planted small ones, ties and NULLs, a family where the cap at 1 binds, a family of one.
CREATE TEMP TABLE bh_ref (family integer, id integer, p_value float8, p_adjusted float8);
\copy bh_ref FROM 'test/data/bh_reference.csv' WITH (FORMAT csv, HEADER)
\set ECHO none
SELECT 'CREATE TEMP TABLE bh_ours AS ' || exlink.with_p_adjusted('SELECT family, id, p_value FROM bh_ref', '{family}', '{family,id}') \gexec
\set ECHO all
SELECT r.family, count(*) AS p_values, count(r.p_value) AS in_family,
       bool_and((o.p_adjusted IS NULL) = (r.p_adjusted IS NULL)) AS same_nulls,
       max(abs(o.p_adjusted - r.p_adjusted)) < 1e-15 AS matches_r
  FROM bh_ref r JOIN bh_ours o USING (family, id) GROUP BY r.family ORDER BY r.family;
-- The status codes on cells made for them (q = 3 drivers: estimates need 2(q + 1) = 8 members,
-- inference 12 with the same 4 measures and two tables as above): six employees (saturated: no
-- figures, though the model has betas; its pairs withheld), nine (withheld), 29 (few_clusters: fewer than 30 members; ok from 30 on, as the
-- organisation), collinear drivers (no betas, hence no shares or ranks though relative weights
-- exist), a constant outcome (undefined).
CREATE TABLE res.vocab (team text, employee text, y float8, a float8, b float8, c float8);
INSERT INTO res.vocab
SELECT t, t || e, CASE WHEN t = 'const' THEN 3 ELSE 3 + sin(e * 1.3 + j) + 0.5 * cos(e * j) END,
       sin(e * 2.1) + 0.1 * j, cos(e * 0.7) - 0.1 * j,
       CASE WHEN t = 'collinear' THEN 2 * sin(e * 2.1) + 0.2 * j - (cos(e * 0.7) - 0.1 * j) ELSE sin(e * e * 0.3 + j) END
  FROM (VALUES ('six', 6), ('nine', 9), ('thirty', 29), ('collinear', 12), ('const', 7)) AS teams(t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS j;
SELECT exlink.publish('res.vocab_cells', 'res.vocab', 'employee', '{team}', '{y,a,b,c}', rollup => true);
SELECT exlink.publish_results('res.vocab_drivers', 'res.vocab_cells', 'y', '{a,b,c}');
SELECT exlink.publish_results('res.vocab_pairs', 'res.vocab_cells', 'y', '{a,b,c}', statistic => 'correlations');
SELECT DISTINCT coalesce(team, '(all)') AS team, members, status, has_betas, inference_shown, status_detail
  FROM res.vocab_drivers ORDER BY members, 1;
-- ... the model itself has betas and shares for the saturated team and relative weights for
-- the collinear one: the results table shows none of them.
SELECT team, bool_and(x.beta IS NOT NULL) AS model_has_betas, bool_and(x.relative_weight IS NOT NULL) AS model_has_weights,
       bool_and(d.beta IS NULL AND d.relative_weight IS NULL AND d.lmg_share IS NULL AND d.rank IS NULL AND d.r2 IS NULL) AS table_shows_none
  FROM (SELECT team, exlink.driver_weights(y, ARRAY[a, b, c], employee, '{a,b,c}') AS m FROM res.vocab
         WHERE team IN ('six', 'collinear') GROUP BY team) s
  CROSS JOIN LATERAL exlink.drivers(s.m) x
  JOIN res.vocab_drivers d USING (team) WHERE d.ordinal = x.ordinal
 GROUP BY team ORDER BY team;
SELECT DISTINCT coalesce(team, '(all)') AS team, members, driver, status, has_r, inference_shown
  FROM res.vocab_pairs WHERE team IN ('six', 'const', 'thirty') OR team IS NULL ORDER BY members, 1, driver;
SELECT exlink.unpublish('res.vocab_cells');
DROP TABLE res.vocab;

-- A refresh with one member changed holds the cell back, and its results with it; a change of
-- k members releases both.
CREATE TEMP TABLE before AS SELECT cell, ordinal, beta, p_value, members FROM res.drivers;
UPDATE res.src SET csat = csat + 1 WHERE employee = 'delta-3';
SELECT * FROM exlink.refresh('res.cells');
SELECT count(*) AS rows_changed FROM res.drivers d JOIN before b USING (cell, ordinal)
 WHERE d.beta IS DISTINCT FROM b.beta OR d.p_value IS DISTINCT FROM b.p_value;
UPDATE res.src SET csat = csat + 1 WHERE employee IN ('delta-4', 'delta-5', 'delta-6', 'delta-7');
SELECT * FROM exlink.refresh('res.cells');
SELECT d.team, d.level, count(*) AS rows_changed FROM res.drivers d JOIN before b USING (cell, ordinal)
 WHERE d.beta IS DISTINCT FROM b.beta GROUP BY 1, 2 ORDER BY 2, 1;
-- ... and the released results are those of the new rows.
SELECT max(abs(d.beta - x.beta)) < 1e-12 AS delta_matches_new_rows
  FROM res.drivers d,
       exlink.drivers((SELECT exlink.driver_weights(csat, ARRAY[engagement, tenure, training], employee, '{engagement,tenure,training}')
                         FROM res.src WHERE team = 'delta' AND employee <> '' AND csat < 'Infinity')) x
 WHERE d.team = 'delta' AND d.ordinal = x.ordinal;

-- A results table published while a change is held back: the held cell's last release has no
-- results for it (pending), until the cell is released again.
UPDATE res.src SET csat = csat - 1 WHERE employee = 'alpha-1';
SELECT * FROM exlink.refresh('res.cells');
SELECT exlink.publish_results('res.two', 'res.cells', 'engagement', '{tenure,training}');
SELECT team, level, driver, beta IS NULL AS no_beta, has_betas, status, status_detail FROM res.two WHERE status = 'pending' ORDER BY level, team, ordinal;
UPDATE res.src SET csat = csat - 1 WHERE employee IN ('alpha-2', 'alpha-3', 'alpha-4', 'alpha-5');
SELECT * FROM exlink.refresh('res.cells');
SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) AS rows_ FROM res.two;

-- A results table is a table (information_schema lists it); exlink.show_released, which
-- exlink.refresh calls, fills it again with what was released (nothing new).
SELECT count(*) AS driver_rows FROM res.drivers;
SELECT exlink.show_released('res.drivers');
SELECT count(*) AS driver_rows FROM res.drivers;
SELECT table_type FROM information_schema.tables WHERE table_schema = 'res' AND table_name = 'drivers';

-- The audit: a results table, and a view that reads only results tables and publications, are guarded.
CREATE VIEW res.top_driver AS
    SELECT d.region, d.team, d.driver, d.lmg_share, c.mean_csat FROM res.drivers d JOIN res.cells c USING (cell) WHERE d.rank = 1;
SELECT * FROM exlink.audit_view('res.drivers');
SELECT * FROM exlink.audit_view('res.top_driver');

-- Errors (their SQLSTATEs).
\set VERBOSITY sqlstate
-- must fail: outcome not a published measure (22023)
SELECT exlink.publish_results('res.bad', 'res.cells', 'age', '{engagement}');
-- must fail: outcome among the drivers (22023)
SELECT exlink.publish_results('res.bad', 'res.cells', 'csat', '{csat,engagement}');
-- must fail: no driver (22023), unknown statistic (22023), NULL argument (22023), bad name (22023)
SELECT exlink.publish_results('res.bad', 'res.cells', 'csat', '{}');
SELECT exlink.publish_results('res.bad', 'res.cells', 'csat', '{engagement}', 'anova');
SELECT exlink.publish_results('res.bad', 'res.cells', NULL, '{engagement}');
SELECT exlink.publish_results('bad', 'res.cells', 'csat', '{engagement}');
-- must fail: not a publication (22023); a live publication (0A000)
SELECT exlink.publish_results('res.bad', 'res.src', 'csat', '{engagement}');
SELECT exlink.publish('res.live', 'res.src', 'employee', '{region}', '{csat,engagement}', live => true, force => true);
SELECT exlink.publish_results('res.bad', 'res.live', 'csat', '{engagement}');
-- must fail: more than 15 drivers (54000)
CREATE TABLE res.wide AS SELECT employee, team, csat AS y, engagement AS x1, tenure AS x2, training AS x3, csat + 1 AS x4, csat + 2 AS x5, csat + 3 AS x6,
       csat + 4 AS x7, csat + 5 AS x8, csat + 6 AS x9, csat + 7 AS x10, csat + 8 AS x11, csat + 9 AS x12, csat + 10 AS x13,
       csat + 11 AS x14, csat + 12 AS x15, csat + 13 AS x16 FROM res.src;
SELECT exlink.publish('res.wide_cells', 'res.wide', 'employee', '{team}', '{y,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,x15,x16}');
SELECT exlink.publish_results('res.bad', 'res.wide_cells', 'y', '{x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,x15,x16}');
-- must fail: a 51st results table of one publication (54000)
SELECT exlink.publish('res.tiny', 'res.src', 'employee', '{region}', '{csat,engagement}', force => true);
-- (50 registered results tables, stood in for by views: the check counts the registry)
\set ECHO none
SELECT format('CREATE VIEW res.tiny_%s AS SELECT 1', i) FROM generate_series(1, 50) i \gexec
\set ECHO all
INSERT INTO exlink.result_tables (object, publication, statistic, outcome, drivers, result_key, grantees)
SELECT ('res.tiny_' || i)::regclass, 'res.tiny', 'drivers', 'csat', '{engagement}', 'tiny-' || i, '{}'
  FROM generate_series(1, 50) i;
SELECT exlink.publish_results('res.tiny_51', 'res.tiny', 'csat', '{engagement}');
SELECT count(*) AS results_tables_of_tiny FROM exlink.result_tables WHERE publication = 'res.tiny'::regclass;
DELETE FROM exlink.result_tables WHERE publication = 'res.tiny'::regclass;
\set ECHO none
SELECT format('DROP VIEW res.tiny_%s', i) FROM generate_series(1, 50) i \gexec
\set ECHO all
SELECT exlink.unpublish('res.tiny');
-- must fail: the caller does not own the publication (42501)
GRANT USAGE ON SCHEMA res TO regress_hr_owner;
GRANT EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) TO regress_hr_owner;
GRANT SELECT ON exlink.publications TO regress_hr_owner;
SET ROLE regress_hr_owner;
SELECT exlink.publish_results('res.bad', 'res.cells', 'csat', '{engagement}');
RESET ROLE;
\set VERBOSITY default
REVOKE SELECT ON exlink.publications FROM regress_hr_owner;
REVOKE EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) FROM regress_hr_owner;
REVOKE USAGE ON SCHEMA res FROM regress_hr_owner;
SELECT to_regclass('res.bad') AS nothing_created;

-- unpublish drops a results table; unpublishing the publication drops the rest.
DROP VIEW res.top_driver;
SELECT exlink.unpublish('res.two');
SELECT object FROM exlink.result_tables ORDER BY 1::text COLLATE "C";
SELECT exlink.unpublish('res.cells');
SELECT count(*) AS results_tables_left, to_regclass('res.drivers') AS drivers, to_regclass('res.pairs') AS pairs FROM exlink.result_tables;
SELECT exlink.unpublish('res.live');
SELECT exlink.unpublish('res.wide_cells');
DROP SCHEMA res CASCADE;
