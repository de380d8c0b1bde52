-- The key driver map (issue 21): per cell and driver, importance (LMG share) against performance
-- (the driver's mean, or its share favourable: the share of the cell's rows at or above the
-- results table's cut, computed with the model from the same rows by exlink.results_select), the
-- quadrant by the cell's medians, and the gain in the outcome per unit of the driver with its
-- interval.  The rows of a 'driver_map' results table; every figure comes
-- from the cell's released model (exlink.driver_rows classifies it: the same status codes, the
-- same withheld inference), so a map shows nothing a drivers table of the cell would not.

CREATE FUNCTION @extschema@.driver_map_rows(model @extschema@.driver_model, outcome name, names text[], members bigint,
                                            favourable float8[] DEFAULT NULL)
RETURNS TABLE (ordinal integer, outcome text, driver text, importance float8, performance float8,
               importance_cut float8, performance_cut float8, quadrant text,
               gain float8, gain_low float8, gain_high float8, p_value float8,
               rank integer, r2 float8, clusters integer, df float8, inference text,
               has_betas boolean, inference_shown boolean, status text, status_detail text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH d AS (
        SELECT r.*, CASE WHEN NOT r.has_betas THEN NULL
                         WHEN $5 IS NULL THEN ($1).means[r.ordinal OPERATOR(pg_catalog.+) 1]
                         ELSE $5[r.ordinal] END AS perf
          FROM @extschema@.driver_rows($1, $2, $3, $4) AS r),
    cut AS (
        SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY d.lmg_share) AS ic,
               pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY d.perf) AS pc
          FROM d)
    SELECT d.ordinal, d.outcome, d.driver, d.lmg_share, d.perf, cut.ic, cut.pc,
           CASE WHEN d.lmg_share IS NULL OR d.perf IS NULL THEN NULL
                WHEN d.lmg_share OPERATOR(pg_catalog.>=) cut.ic AND d.perf OPERATOR(pg_catalog.<) cut.pc THEN 'fix first'
                WHEN d.lmg_share OPERATOR(pg_catalog.>=) cut.ic THEN 'keep'
                WHEN d.perf OPERATOR(pg_catalog.<) cut.pc THEN 'monitor'
                ELSE 'do not over-invest' END,
           CASE WHEN d.has_betas THEN g.estimate END,
           CASE WHEN d.inference_shown THEN g.ci_low END,
           CASE WHEN d.inference_shown THEN g.ci_high END,
           CASE WHEN d.inference_shown THEN g.p_value END,
           d.rank, d.r2, d.clusters, d.df, d.inference, d.has_betas, d.inference_shown, d.status,
           -- withheld inference withholds a map's shares favourable too (exlink.withhold_inference)
           CASE WHEN d.status = 'withheld' AND $5 IS NOT NULL
                THEN d.status_detail OPERATOR(pg_catalog.||) '; shares favourable withheld too' ELSE d.status_detail END
      FROM d CROSS JOIN cut
      LEFT JOIN LATERAL @extschema@.driver_contrast($1, ARRAY[d.driver], ARRAY[1::float8]) AS g ON d.has_betas
     ORDER BY d.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.driver_map_rows(@extschema@.driver_model, name, text[], bigint, float8[]) IS
    'The rows of one cell of a driver_map results table: per driver its importance (LMG share, %), performance (its mean; given favourable, the cell''s shares of rows at or above the table''s cut, in names order), the cell''s cut-offs (medians over its drivers), the quadrant (fix first, keep, monitor, do not over-invest), the gain in the outcome per unit of the driver with its clustered 95% interval and p, and exlink.driver_rows'' status code, flags and explanation (where the inference is withheld, so are the shares favourable: performance NULL).';
