-- Results tables clustered by a dimension of the publication (exlink.publish_results' cluster
-- argument): in the cells that span several teams (region and total rows of a roll-up over region
-- and team) the inference is clustered by team, in the team cells by member; every figure equals
-- the aggregate the custodian calls directly with that cluster (driver_weights(..., 'cluster',
-- NULL, team), linked_correlation(..., 0.95, 'cluster', team)), for a snapshot (refresh_query)
-- and for a sealed period (seal_periods).
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- a snapshot refreshed with the 0.2.0 change ledger (superuser opt-in)
CREATE SCHEMA resc;
-- Two regions of eight teams of 16 to 20 employees, 1 to 4 rows each (each employee in one month:
-- the team cells, and the total row in teams, pass the withheld-inference bound, 16 with F = 14
-- figures over three measures, so every check below runs on released inference);
-- a manager score shared by the team, engagement per employee, CX with a team part.
CREATE TABLE resc.src (region text, team text, employee text, month date, csat float8, engagement float8, manager float8);
INSERT INTO resc.src
SELECT CASE WHEN t <= 8 THEN 'north' ELSE 'south' END, 'team' || t, 'team' || t || '-' || e,
       make_date(2025, 1 + (e % 2), 1),
       round((3 + 0.5 * sin(t * 1.3) + 0.4 * sin(e * 1.7 + t) + 0.3 * ((e * 7 + j) % 5) - 0.2 * cos(j * e))::numeric, 3)::float8,
       round((3 + sin(e * 2.3 + t) + 0.2 * j)::numeric, 3)::float8,
       round((3 + cos(t * 0.7))::numeric, 3)::float8 + 0.01 * (e % 3)
  FROM generate_series(1, 16) AS t, generate_series(1, 16 + (t % 5)) AS e, generate_series(1, 1 + (e % 4)) AS j;
SELECT exlink.publish('resc.cells', 'resc.src', 'employee', '{region,team}', '{csat,engagement,manager}', rollup => true);
SELECT exlink.publish_results('resc.drivers', 'resc.cells', 'csat', '{engagement,manager}', cluster => 'team');
SELECT exlink.publish_results('resc.pairs', 'resc.cells', 'csat', '{engagement,manager}', statistic => 'correlations', cluster => 'team');
SELECT exlink.publish_results('resc.by_member', 'resc.cells', 'csat', '{engagement,manager}');
SELECT object, statistic, cluster, obj_description(object, 'pg_class') AS comment
  FROM exlink.result_tables WHERE object::text LIKE 'resc.%' ORDER BY object::text COLLATE "C";

-- The custodian's aggregates over each cell's rows, called directly: by team where the cell
-- spans teams, by member in a team cell.
CREATE TEMP TABLE truth AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level,
       CASE WHEN GROUPING(team) = 1
            THEN exlink.driver_weights(csat, ARRAY[engagement, manager], employee, '{engagement,manager}', 'cluster', NULL, team)
            ELSE exlink.driver_weights(csat, ARRAY[engagement, manager], employee, '{engagement,manager}') END AS m,
       exlink.driver_weights(csat, ARRAY[engagement, manager], employee, '{engagement,manager}') AS m_member,
       CASE WHEN GROUPING(team) = 1
            THEN ARRAY[exlink.linked_correlation(csat, engagement, employee, 0.95, 'cluster', team),
                       exlink.linked_correlation(csat, manager, employee, 0.95, 'cluster', team)]
            ELSE ARRAY[exlink.linked_correlation(csat, engagement, employee), exlink.linked_correlation(csat, manager, employee)] END AS cors
  FROM resc.src GROUP BY ROLLUP (region, team);

CREATE FUNCTION resc_close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(abs(a - b) <= greatest(1e-12 * abs(b), 1e-300), a IS NULL AND b IS NULL) $$;
-- Per level: the clusters and inference the rows state, and every figure against the direct call
-- (rows whose inference the release withheld have no standard error: counted apart).
SELECT d.level, count(*) AS rows, count(d.beta_se) AS with_inference, min(d.clusters) AS min_clusters,
       max(d.clusters) AS max_clusters, min(d.inference) AS inference,
       bool_and(resc_close(d.beta, t.beta)) AS beta_ok,
       bool_and(d.beta_se IS NULL OR (resc_close(d.beta_se, t.beta_se) AND resc_close(d.df, t.df)
                AND resc_close(d.p_value, t.p_value) AND resc_close(d.ci_low, t.ci_low)
                AND resc_close(d.ci_high, t.ci_high) AND d.clusters = t.m_clusters AND d.inference = t.m_inference)) AS inference_ok
  FROM resc.drivers d
  JOIN (SELECT tr.region, tr.team, tr.level, x.*, (tr.m).clusters AS m_clusters, (tr.m).inference AS m_inference
          FROM truth tr, exlink.drivers(tr.m) x) t
    ON t.level = d.level AND t.region IS NOT DISTINCT FROM d.region AND t.team IS NOT DISTINCT FROM d.team AND t.ordinal = d.ordinal
 GROUP BY d.level ORDER BY d.level;
SELECT p.level, count(*) AS rows, count(p.p_value) AS with_inference, min(p.clusters) AS min_clusters, min(p.inference) AS inference,
       bool_and(resc_close(p.r, (t.cor).r)) AS r_ok,
       bool_and(p.p_value IS NULL OR (resc_close(p.p_value, (t.cor).p_value) AND resc_close(p.ci_low, (t.cor).ci_low)
                AND resc_close(p.ci_high, (t.cor).ci_high) AND resc_close(p.df, (t.cor).df)
                AND p.clusters = (t.cor).clusters AND p.inference = (t.cor).inference)) AS inference_ok
  FROM resc.pairs p
  JOIN (SELECT tr.region, tr.team, tr.level, tr.cors[i] AS cor, i AS o FROM truth tr, generate_subscripts(tr.cors, 1) AS i) t
    ON t.level = p.level AND t.region IS NOT DISTINCT FROM p.region AND t.team IS NOT DISTINCT FROM p.team AND t.o = p.ordinal
 GROUP BY p.level ORDER BY p.level;
-- The member-clustered table of the same cells: by member everywhere (the region and total rows
-- differ from the team-clustered ones: G = members, not teams).
SELECT b.level, min(b.clusters) AS min_clusters, min(b.inference) AS inference,
       bool_and(b.beta_se IS NULL OR resc_close(b.beta_se, x.beta_se)) AS equals_by_member
  FROM resc.by_member b
  JOIN (SELECT tr.region, tr.team, tr.level, x.* FROM truth tr, exlink.drivers(tr.m_member) x) x
    ON x.level = b.level AND x.region IS NOT DISTINCT FROM b.region AND x.team IS NOT DISTINCT FROM b.team AND x.ordinal = b.ordinal
 GROUP BY b.level ORDER BY b.level;
-- Team- over member-clustered standard errors in the region and total rows.
SELECT d.level, d.region, d.driver, round((d.beta_se / b.beta_se)::numeric, 2) AS team_over_member
  FROM resc.drivers d JOIN resc.by_member b USING (cell, ordinal)
 WHERE d.level < 2 AND d.beta_se IS NOT NULL ORDER BY d.level, d.region COLLATE "C", d.ordinal;

-- A sealed period: the same, per month (seal_periods computes the results with the cells).
CREATE TABLE resc.src2 AS SELECT * FROM resc.src;
SELECT exlink.publish('resc.monthly', 'resc.src2', 'employee', '{region,team}', '{csat,engagement,manager}', rollup => true,
                      period => 'month');
SELECT exlink.publish_results('resc.monthly_drivers', 'resc.monthly', 'csat', '{engagement,manager}', cluster => 'team');
SELECT exlink.seal('resc.monthly', '2025-01-01') AS released_cells;
SELECT period, state, released_cells FROM exlink.period_status('resc.monthly');
SELECT level, count(*) FROM resc.monthly GROUP BY level ORDER BY level;
CREATE TEMP TABLE truth_month AS
SELECT region, team, (1 - GROUPING(region)) + (1 - GROUPING(team)) AS level,
       CASE WHEN GROUPING(team) = 1
            THEN exlink.driver_weights(csat, ARRAY[engagement, manager], employee, '{engagement,manager}', 'cluster', NULL, team)
            ELSE exlink.driver_weights(csat, ARRAY[engagement, manager], employee, '{engagement,manager}') END AS m
  FROM resc.src2 WHERE month = '2025-01-01' GROUP BY ROLLUP (region, team);
-- (team cells of 8 to 10 members: their inference withheld below 10, the bound with F = 5 over three
-- measures, as in any results table)
SELECT d.period, d.level, count(*) AS rows, count(d.beta) AS with_betas, count(d.beta_se) AS with_inference,
       min(d.clusters) AS min_clusters, min(d.inference) AS inference,
       bool_and(d.beta IS NULL OR resc_close(d.beta, t.beta) AND (d.beta_se IS NULL OR (resc_close(d.beta_se, t.beta_se)
                AND resc_close(d.p_value, t.p_value) AND d.clusters = t.m_clusters))) AS figures_ok
  FROM resc.monthly_drivers d
  JOIN (SELECT tr.region, tr.team, tr.level, x.*, (tr.m).clusters AS m_clusters FROM truth_month tr, exlink.drivers(tr.m) x) t
    ON t.level = d.level AND t.region IS NOT DISTINCT FROM d.region AND t.team IS NOT DISTINCT FROM d.team AND t.ordinal = d.ordinal
 GROUP BY d.period, d.level ORDER BY d.level;

-- The cluster must be a dimension of the publication; alerts tables take none; bootstrap draws
-- (they resample members) do not combine with it (22023).
SELECT exlink.publish_results('resc.bad', 'resc.cells', 'csat', '{engagement}', cluster => 'employee');
SELECT exlink.publish_results('resc.bad', 'resc.monthly', 'csat', '{engagement}', statistic => 'alerts', cluster => 'team');
SELECT exlink.publish_results('resc.bad', 'resc.cells', 'csat', '{engagement}', bootstrap => 99, cluster => 'team');

SELECT exlink.unpublish('resc.monthly_drivers'), exlink.unpublish('resc.monthly');
SELECT exlink.unpublish('resc.drivers'), exlink.unpublish('resc.pairs'), exlink.unpublish('resc.by_member'), exlink.unpublish('resc.cells');
DROP FUNCTION resc_close(float8, float8);
DROP SCHEMA resc CASCADE;
RESET exlink.allow_unsafe_refresh;
