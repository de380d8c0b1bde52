-- Spot issues early: an alerts table of a period publication, computed from its RELEASED cells
-- only (docs/early-warning.md; the security argument is in docs/security.md, "Alerts").  Per unit
-- (a cell of the publication's finest grain) and sealed period, each measure is compared with the
-- organisation (the period's released units pooled): funnel-plot limits (Spiegelhalter 2005) with
-- an additive overdispersion tau2 estimated from the units' winsorized z-scores; the
-- change from the previous period against the organisation's change; a drift statistic (EWMA of
-- the unit's standardized changes); linked signals (CX slipping with an EX driver the organisation's
-- key-driver model says matters); Benjamini-Hochberg adjusted p per period.  Every input is a
-- figure the publication already released (a cell's responses, means, co-moments and, when
-- sealed with one, cluster summary), so the alerts are a function of public figures: no figure
-- below k, no new grain, no new differencing channel.  They are filled when a period is sealed
-- (exlink.seal_periods calls exlink.seal_alerts), and for the periods sealed before the table
-- was made when it is made (they too are functions of released cells).

CREATE FUNCTION @extschema@.normal_cdf(z float8) RETURNS float8
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_normal_cdf';
COMMENT ON FUNCTION @extschema@.normal_cdf(float8) IS
    'The standard normal distribution function Φ(z) (GSL; accurate in the tails, as R''s pnorm).';
CREATE FUNCTION @extschema@.normal_quantile(p float8) RETURNS float8
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_normal_quantile';
COMMENT ON FUNCTION @extschema@.normal_quantile(float8) IS
    'The standard normal quantile Φ⁻¹(p), p in (0, 1) (22023 otherwise), as R''s qnorm.';

CREATE TABLE @extschema@.alert_tables (
    object regclass PRIMARY KEY,
    publication regclass NOT NULL,
    outcome name NOT NULL,
    drivers name[] NOT NULL,
    level float8 NOT NULL CHECK (level > 0 AND level < 0.5),
    grantees name[] NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.alert_tables IS
    'Registry of alerts tables made by exlink.publish_alerts (or publish_results with statistic ''alerts''): object, its period publication, the outcome (CX) and drivers (EX), the level, who and when.';
COMMENT ON COLUMN @extschema@.alert_tables.object IS 'The alerts table (partitioned by period).';
COMMENT ON COLUMN @extschema@.alert_tables.publication IS 'The period publication whose released cells the alerts are computed from.';
COMMENT ON COLUMN @extschema@.alert_tables.outcome IS 'The outcome measure (CX): the measure of linked signals.';
COMMENT ON COLUMN @extschema@.alert_tables.drivers IS 'The driver measures (EX), in order; each is monitored too.';
COMMENT ON COLUMN @extschema@.alert_tables.level IS 'The level: limits at 1 - level (two-sided), alert where the Benjamini-Hochberg adjusted p is below it.';
COMMENT ON COLUMN @extschema@.alert_tables.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.alert_tables.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.alert_tables.published_at IS 'When it was published.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alert_tables', '');
-- Read by every seal (exlink.seal_alerts): the columns naming objects are readable by PUBLIC
-- (names, no figures), as in exlink.result_tables.
REVOKE ALL ON @extschema@.alert_tables FROM PUBLIC;
GRANT SELECT (object, publication, outcome, drivers, level) ON @extschema@.alert_tables TO PUBLIC;

-- A released cell's mean of variable j and its standard error: cluster-robust (CR1,
-- sqrt(G/(G - 1) S_jj) / n from the cell's cluster summary, S_jj = Σ_g n_g²(m_gj - m_j)²) when
-- the cell carries one, else sd/sqrt(n) over its rows, whose clustering by employee the
-- overdispersion of exlink.alert_statistics then absorbs (tau2 between units, phi in changes).  NULL se below 2 rows (or 2 clusters).
CREATE FUNCTION @extschema@.mean_se(m @extschema@.moments, j integer, OUT mean float8, OUT se float8, OUT method text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v jsonb := m::text::jsonb;
    p integer := (v OPERATOR(pg_catalog.->>) 'p')::integer;
    n float8 := (v OPERATOR(pg_catalog.->>) 'n')::float8;
    g float8;
    r integer;
    a integer;
BEGIN
    IF j < 1 OR j > p THEN
        RAISE EXCEPTION 'variable % is not in the moments (1 to %)', j, p USING ERRCODE = '22023';
    END IF;
    mean := (v OPERATOR(pg_catalog.->) 'mean' OPERATOR(pg_catalog.->>) (j - 1))::float8;
    IF v ? 'cluster_summary' THEN
        g := (v OPERATOR(pg_catalog.->>) 'clusters')::float8;
        r := 1 + p + p * (p + 1) / 2;
        a := j;                                   -- w_g = (n_g, n_g(m_g - m), Q_g): 0-based index j
        method := 'cluster-robust CR1';
        IF g >= 2 AND n > 0 THEN
            se := pg_catalog.sqrt(g / (g - 1) * (v OPERATOR(pg_catalog.->) 'cluster_summary' OPERATOR(pg_catalog.->>) (a * r - a * (a - 1) / 2))::float8) / n;
        END IF;
    ELSE
        method := 'rows (employee clustering in tau2 and phi)';
        IF n >= 2 THEN
            a := j - 1;                           -- packed upper triangle of p: diagonal of row a
            se := pg_catalog.sqrt((v OPERATOR(pg_catalog.->) 'comoment' OPERATOR(pg_catalog.->>) (a * p - a * (a - 1) / 2))::float8 / (n - 1) / n);
        END IF;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.mean_se(@extschema@.moments, integer) IS
    'The mean of variable j of a moments value and its standard error: cluster-robust CR1 from the cluster summary when it has one, else sd/sqrt(n) of its rows; the method in words.';

-- The statistics of the alerts, from one row per (period, unit, measure) of released figures:
-- the unit's mean (figure), rows (n, the weight of the organisation's target) and standard
-- error (se); prank orders the periods.  Per period and measure (units with a standard error):
--   target  = Σ n_i y_i / Σ n_i, the organisation's mean over the released units;
--   z0_i    = (y_i - target) / se_i; phi_hat = mean(winsorize(z0, 10%, 90%)²) / c, where
--             c = E[winsorized Z²] = 0.8 - 2 q φ(q) + 0.2 q², q = Φ⁻¹(0.9), makes the
--             winsorized estimate consistent at the normal (Spiegelhalter's 2005 estimate is
--             the numerator alone, about 0.68 under no overdispersion); with fewer than 10
--             units no overdispersion is estimated (tau2 = 0, phi = 1);
--   level   : additive overdispersion (Spiegelhalter 2005's random-effects funnel, his
--             winsorized DerSimonian-Laird estimate): tau2 = max(0, (I phi_hat - (I - 1)) /
--             (Σ w - Σ w² / Σ w)), w = 1 / se²: the units' persistent differences are
--             real and the same whatever a unit's size, so they add to each unit's variance;
--             z = (y - target) / sqrt(se² + tau2), limits target ± Φ⁻¹(1 - level/2) sqrt(se² + tau2);
--   change  : (Δ_i - Δ_target) / se_Δ against the previous period (prank - 1) of the same unit,
--             se_Δ² = se² + se'² (periods' rows are disjoint; taken as independent, which
--             overstates the variance when the same employees answer in both), times a
--             multiplicative phi = phi_hat of these z-scores, not bounded below by 1: the
--             units measure how much the independence bound overstates (a unit's persistent
--             level cancels in a change, so what remains is a common scale error);
--   drift   : EWMA E_k = Σ_{i<=k} lambda (1 - lambda)^{k-i} z_i of the unit's change z-scores
--             (k-th change), over its standard deviation for consecutive changes sharing a
--             period (lag-one correlation -1/2): sqrt(Σ w_i² - Σ w_i w_(i+1));
--   p = 2Φ(-|z|); p_adjusted: Benjamini-Hochberg per period over all its level, change and
--             drift rows (every unit and measure: the family), as R's p.adjust(method = "BH").
CREATE FUNCTION @extschema@.alert_statistics(
    periods text[], pranks integer[], units text[], measures text[], n float8[], figures float8[], se float8[],
    level float8 DEFAULT 0.05, lambda float8 DEFAULT 0.2)
RETURNS TABLE (period text, prank integer, unit text, measure text, kind text, figure float8, target float8,
               limit_low float8, limit_high float8, z float8, p_value float8, p_adjusted float8, direction text, phi float8, tau2 float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
-- The planner takes arrays of parameters for 10 rows, so it joins these CTEs (18,000 rows for
-- 150 units x 24 periods x 5 measures) by nested loops, quadratically (38 s); hash and merge
-- joins take 0.1 s.  Disabling nested loops adds a huge cost, which would make the statement
-- JIT-compiled (seconds of compilation for a sub-second query): jit off too.
SET enable_nestloop = off
SET jit = off
AS $fn$
    WITH k AS (
        SELECT @extschema@.normal_quantile(1 - $8 / 2) AS zq, @extschema@.normal_quantile(0.9) AS q9),
    c AS (
        SELECT u.* FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),
                                  pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7)) AS u(period, prank, unit, measure, n, figure, se)
         WHERE u.figure IS NOT NULL),
    t AS (
        SELECT c.period, c.measure, pg_catalog.sum(c.n * c.figure) / pg_catalog.sum(c.n) AS target
          FROM c GROUP BY c.period, c.measure),
    lv0 AS (
        SELECT c.period, c.prank, c.unit, c.measure, c.figure, t.target, c.se
          FROM c JOIN t ON t.period = c.period AND t.measure = c.measure),
    raw AS (
        SELECT lv0.period, lv0.prank, lv0.unit, lv0.measure, 'level'::text AS kind, lv0.figure, lv0.target, lv0.se,
               CASE WHEN lv0.se > 0 THEN (lv0.figure - lv0.target) / lv0.se END AS z0
          FROM lv0
        UNION ALL
        SELECT cur.period, cur.prank, cur.unit, cur.measure, 'change', cur.figure - prev.figure, cur.target - prev.target, d.se,
               CASE WHEN d.se > 0 THEN ((cur.figure - prev.figure) - (cur.target - prev.target)) / d.se END
          FROM lv0 AS cur
          JOIN lv0 AS prev ON prev.unit = cur.unit AND prev.measure = cur.measure AND prev.prank = cur.prank - 1,
               LATERAL (SELECT pg_catalog.sqrt(cur.se ^ 2 + prev.se ^ 2) AS se) AS d),
    w AS (
        SELECT raw.period, raw.measure, raw.kind, pg_catalog.count(*) AS units,
               pg_catalog.percentile_cont(0.1) WITHIN GROUP (ORDER BY raw.z0) AS lo,
               pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY raw.z0) AS hi
          FROM raw WHERE raw.z0 IS NOT NULL GROUP BY raw.period, raw.measure, raw.kind),
    ph AS (
        SELECT w.period, w.measure, w.kind, w.units,
               pg_catalog.avg(GREATEST(w.lo, LEAST(w.hi, raw.z0)) ^ 2)
               / (0.8 - 2 * k.q9 * pg_catalog.exp(-(k.q9 ^ 2) / 2) / pg_catalog.sqrt(2 * pg_catalog.pi()) + 0.2 * k.q9 ^ 2) AS phi_hat,
               pg_catalog.sum(raw.se ^ -2) AS sw, pg_catalog.sum(raw.se ^ -4) AS sw2
          FROM w JOIN raw ON raw.period = w.period AND raw.measure = w.measure AND raw.kind = w.kind AND raw.z0 IS NOT NULL, k
         GROUP BY w.period, w.measure, w.kind, w.units, k.q9),
    od AS (
        SELECT ph.period, ph.measure, ph.kind,
               CASE WHEN ph.kind = 'change' AND ph.units >= 10 THEN ph.phi_hat ELSE 1 END AS phi,
               CASE WHEN ph.kind = 'level' AND ph.units >= 10
                    THEN GREATEST(0, (ph.units * ph.phi_hat - (ph.units - 1)) / (ph.sw - ph.sw2 / ph.sw)) ELSE 0 END AS tau2
          FROM ph),
    lc AS (
        SELECT raw.*, od.phi, od.tau2, pg_catalog.sqrt(od.phi * raw.se ^ 2 + od.tau2) AS sd,
               CASE WHEN raw.se > 0 THEN (raw.figure - raw.target) / pg_catalog.sqrt(od.phi * raw.se ^ 2 + od.tau2) END AS z
          FROM raw JOIN od ON od.period = raw.period AND od.measure = raw.measure AND od.kind = raw.kind),
    rows_ AS (
        SELECT lc.period, lc.prank, lc.unit, lc.measure, lc.kind, lc.figure, lc.target,
               lc.target - k.zq * lc.sd AS limit_low, lc.target + k.zq * lc.sd AS limit_high, lc.z, lc.phi, lc.tau2
          FROM lc, k
        UNION ALL
        -- drift: the EWMA of the unit's change z-scores; consecutive changes share a period, so
        -- their correlation is -1/2 and Var(E_k) = Σ w_i² - Σ w_i w_(i+1), w_i = lambda (1 - lambda)^(k - i)
        SELECT e.period, e.prank, e.unit, e.measure, 'drift', e.ewma, 0,
               -k.zq * e.sd, k.zq * e.sd, e.ewma / e.sd, e.phi, 0::float8
          FROM (SELECT h.*, ew.ewma,
                       pg_catalog.sqrt($9 ^ 2 * (1 - (1 - $9) ^ (2 * h.kth)) / (1 - (1 - $9) ^ 2)
                                       - $9 ^ 2 * (1 - $9) * (1 - (1 - $9) ^ (2 * (h.kth - 1))) / (1 - (1 - $9) ^ 2)) AS sd
                  FROM (SELECT lc.period, lc.prank, lc.unit, lc.measure, lc.phi, pg_catalog.row_number() OVER u AS kth, pg_catalog.array_agg(lc.z) OVER u AS zs
                          FROM lc WHERE lc.kind = 'change' AND lc.z IS NOT NULL
                        WINDOW u AS (PARTITION BY lc.unit, lc.measure ORDER BY lc.prank ROWS UNBOUNDED PRECEDING)) AS h,
                       LATERAL (SELECT pg_catalog.sum($9 * (1 - $9) ^ (h.kth - x.i) * x.z) AS ewma
                                  FROM pg_catalog.unnest(h.zs) WITH ORDINALITY AS x(z, i)) AS ew) AS e, k),
    pv AS (
        SELECT r.*, 2 * @extschema@.normal_cdf(-pg_catalog.abs(r.z)) AS p_value FROM rows_ AS r),
    bh AS (
        SELECT pv.*,
               pg_catalog.count(pv.p_value) OVER (PARTITION BY pv.period) AS m,
               pg_catalog.row_number() OVER (PARTITION BY pv.period ORDER BY pv.p_value DESC) AS pos
          FROM pv WHERE pv.p_value IS NOT NULL)
    SELECT bh.period, bh.prank, bh.unit, bh.measure, bh.kind, bh.figure, bh.target, bh.limit_low, bh.limit_high, bh.z,
           bh.p_value,
           LEAST(1, pg_catalog.min(bh.m::float8 / (bh.m - bh.pos + 1) * bh.p_value)
                               OVER (PARTITION BY bh.period ORDER BY bh.p_value DESC, bh.pos ROWS UNBOUNDED PRECEDING)),
           CASE WHEN bh.z < 0 THEN 'low' WHEN bh.z > 0 THEN 'high' END, bh.phi, bh.tau2
      FROM bh
    UNION ALL
    SELECT pv.period, pv.prank, pv.unit, pv.measure, pv.kind, pv.figure, pv.target, NULL, NULL, NULL, NULL, NULL, NULL, pv.phi, pv.tau2
      FROM pv WHERE pv.p_value IS NULL
$fn$;
COMMENT ON FUNCTION @extschema@.alert_statistics(text[], integer[], text[], text[], float8[], float8[], float8[], float8, float8) IS
    'The statistics of alerts from released figures (per period, unit and measure: rows n, mean, standard error): funnel-plot limits with an additive overdispersion tau2 from winsorized z-scores (level), change from the previous period against the organisation''s with a multiplicative phi (change), EWMA of standardized changes (drift), two-sided p and Benjamini-Hochberg adjusted p per period.';

-- Fills the given periods of one alerts table from its publication's released cells of the
-- finest grain (every sealed period up to the last given one is read, for changes and drifts).
-- Linked rows: per unit, period and basis (level, change, drift), the outcome and a driver both
-- low (z < 0) where the driver matters in the organisation's key-driver model of the period
-- (the exact merge of the period's released unit cells: standardized beta > 0, and p < level
-- when the merged cells carry clustered inference, else a relative-weight share at least the
-- even 100/q); p = the larger of the two p (an intersection-union test of "both slipped"), p
-- adjusted the larger of the two adjusted p; not part of the Benjamini-Hochberg family.
CREATE FUNCTION @extschema@.fill_alerts(alerts regclass, periods text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    a record;
    p record;
    nd integer;
    dims text;
    vars name[];
    idx text;
    o integer;
    n integer;
BEGIN
    SELECT t.object, t.publication, t.outcome, t.drivers, t.level INTO a FROM @extschema@.alert_tables t WHERE t.object = fill_alerts.alerts;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = a.publication;
    IF coalesce(pg_catalog.cardinality(periods), 0) = 0 THEN
        RETURN 0;
    END IF;
    nd := pg_catalog.cardinality(p.dimensions);
    vars := ARRAY[a.outcome] || a.drivers;
    dims := (SELECT pg_catalog.string_agg(pg_catalog.format('c.%I, ', d), '' ORDER BY i)
               FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, i));
    idx := (SELECT pg_catalog.string_agg(pg_catalog.array_position(p.measures, d)::text, ', ' ORDER BY i)
              FROM pg_catalog.unnest(a.drivers) WITH ORDINALITY AS u(d, i));
    o := pg_catalog.array_position(p.measures, a.outcome);
    EXECUTE pg_catalog.format($q$
WITH cells AS MATERIALIZED (
    SELECT c.*, c.period::text AS ptext, pg_catalog.dense_rank() OVER (ORDER BY c.period)::integer AS prank
      FROM %1$s AS c
     WHERE c.level = %2$s AND c.period <= (SELECT pg_catalog.max(v) FROM pg_catalog.unnest(%3$L::%4$s[]) AS v)),
est AS (
    SELECT cells.ptext, cells.prank, cells.cell, v.measure, cells.responses::float8 AS n, s.mean, s.se
      FROM cells
     CROSS JOIN pg_catalog.unnest(%5$L::text[]) WITH ORDINALITY AS v(measure, i)
     CROSS JOIN LATERAL @extschema@.mean_se(cells.moments, pg_catalog.array_position(%6$L::text[], v.measure)) AS s),
st AS MATERIALIZED (
    SELECT s.* FROM (SELECT pg_catalog.array_agg(est.ptext) AS p, pg_catalog.array_agg(est.prank) AS r, pg_catalog.array_agg(est.cell) AS u,
                            pg_catalog.array_agg(est.measure::text) AS m, pg_catalog.array_agg(est.n) AS n,
                            pg_catalog.array_agg(est.mean) AS f, pg_catalog.array_agg(est.se) AS se FROM est) AS x,
           LATERAL @extschema@.alert_statistics(x.p, x.r, x.u, x.m, x.n, x.f, x.se, %7$s::float8) AS s
     WHERE s.period = ANY (%3$L::text[])),
model AS (
    SELECT cells.ptext, d.name, d.beta, d.p_value, d.relative_weight_share
      FROM (SELECT cells.ptext, @extschema@.window_model(@extschema@.merge(cells.moments), %8$s, ARRAY[%9$s], %10$L::text[]) AS m
              FROM cells WHERE cells.ptext = ANY (%3$L::text[]) GROUP BY cells.ptext) AS cells,
           LATERAL @extschema@.drivers(cells.m) AS d),
linked AS (
    SELECT d.period, d.unit, d.measure, 'linked'::text AS kind, d.kind AS basis, d.figure, d.target, d.limit_low, d.limit_high, d.z,
           GREATEST(d.p_value, y.p_value) AS p_value, GREATEST(d.p_adjusted, y.p_adjusted) AS p_adjusted,
           'low'::text AS direction, d.phi, d.tau2, y.measure AS linked_measure, y.figure AS linked_figure, y.z AS linked_z
      FROM st AS y
      JOIN st AS d ON d.period = y.period AND d.unit = y.unit AND d.kind = y.kind AND d.measure <> y.measure
      JOIN model ON model.ptext = d.period AND model.name = d.measure
     WHERE y.measure = %11$L AND y.z < 0 AND d.z < 0
       AND model.beta > 0
       AND (model.p_value < %7$s OR (model.p_value IS NULL AND model.relative_weight_share >= 100.0 / %12$s))),
out_ AS (
    SELECT st.period, st.unit, st.measure, st.kind, st.kind AS basis, st.figure, st.target, st.limit_low, st.limit_high, st.z,
           st.p_value, st.p_adjusted, st.direction, st.phi, st.tau2, NULL::text AS linked_measure, NULL::float8 AS linked_figure, NULL::float8 AS linked_z
      FROM st
    UNION ALL
    SELECT * FROM linked)
INSERT INTO %13$s
SELECT c.period, %14$sc.level, c.cell, c.responses::integer, c.members::integer, out_.unit, out_.measure, out_.kind, out_.basis,
       out_.figure, out_.target, out_.limit_low, out_.limit_high, out_.z, out_.p_value, out_.p_adjusted, out_.direction,
       out_.p_adjusted < %7$s, out_.linked_measure, out_.linked_figure, out_.linked_z, out_.phi, out_.tau2,
       (SELECT s.method FROM @extschema@.mean_se(c.moments, 1) AS s),
       CASE WHEN out_.p_value IS NULL THEN 'undefined' ELSE 'ok' END
  FROM out_ JOIN cells AS c ON c.ptext = out_.period AND c.cell = out_.unit
 ORDER BY c.period, c.cell COLLATE "C", out_.measure, out_.kind, out_.basis$q$,
        a.publication, nd, periods, p.period_type, vars::text[], p.measures::text[], a.level,
        o, idx, a.drivers::text[], a.outcome, pg_catalog.cardinality(a.drivers), alerts, dims);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION @extschema@.fill_alerts(regclass, text[]) IS
    'Custodian only (used by exlink.seal_alerts and publish_alerts): compute and append the rows of the given sealed periods of an alerts table from its publication''s released cells.';

-- Called by exlink.seal_periods after the periods' cells are appended: a partition per period
-- of each alerts table of the publication, filled from the released cells.
CREATE FUNCTION @extschema@.seal_alerts(publication regclass, periods text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t record;
    v text;
    n integer := 0;
BEGIN
    FOR t IN SELECT a.object FROM @extschema@.alert_tables a
              WHERE a.publication = seal_alerts.publication
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = a.object)
              ORDER BY a.object::text LOOP
        FOREACH v IN ARRAY periods LOOP
            PERFORM @extschema@.period_partition(t.object, v);
        END LOOP;
        n := n + @extschema@.fill_alerts(t.object, periods);
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION @extschema@.seal_alerts(regclass, text[]) IS
    'Custodian only (used by exlink.seal_periods): the partitions and rows of the newly sealed periods in every alerts table of a period publication.';

CREATE FUNCTION @extschema@.publish_alerts(
    results text,
    publication regclass,
    outcome name,
    drivers name[],
    grant_to name[] DEFAULT '{}',
    level float8 DEFAULT 0.05)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET "DateStyle" = 'ISO, YMD'
SET "TimeZone" = 'UTC'
SET "IntervalStyle" = 'postgres'
AS $fn$
DECLARE
    p record;
    parts text[];
    target text;
    obj regclass;
    r name;
    v text;
    sealed text[];
    nd integer;
BEGIN
    IF results IS NULL OR publication IS NULL OR outcome IS NULL OR drivers IS NULL OR grant_to IS NULL OR level IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_alerts arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    IF NOT (level > 0 AND level < 0.5) THEN
        RAISE EXCEPTION 'level must be between 0 and 0.5' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publish_alerts.publication;
    IF NOT FOUND OR p.kind <> 'periods' THEN
        RAISE EXCEPTION 'alerts need a period publication' USING ERRCODE = '22023',
            DETAIL = 'Alerts compare each unit''s released cells of sealed periods with the organisation and with its previous periods.';
    END IF;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = publication), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;
    nd := pg_catalog.cardinality(p.dimensions);
    IF nd = 0 THEN
        RAISE EXCEPTION 'alerts need a publication with a unit dimension' USING ERRCODE = '22023',
            DETAIL = 'The units compared are the cells of the publication''s finest grain.';
    END IF;
    IF pg_catalog.cardinality(drivers) > 15 THEN
        RAISE EXCEPTION 'at most 15 drivers' USING ERRCODE = '54000';
    END IF;
    IF NOT (ARRAY[outcome] || drivers) <@ p.measures THEN
        RAISE EXCEPTION 'outcome and drivers must be measures of publication %', publication USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It publishes %s.', pg_catalog.array_to_string(p.measures, ', '));
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(ARRAY[outcome] || drivers) c) <> pg_catalog.cardinality(drivers) + 1 THEN
        RAISE EXCEPTION 'outcome and drivers must be distinct' USING ERRCODE = '22023';
    END IF;
    parts := @extschema@.schema_qualified_name(results, 'alerts table');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;
    DELETE FROM @extschema@.alert_tables t
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.object)
        OR NOT EXISTS (SELECT 1 FROM @extschema@.publications pub WHERE pub.object = t.publication);

    IF pg_catalog.to_regclass('pg_temp.exlink_alerts_shape') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_alerts_shape;
    END IF;
    EXECUTE pg_catalog.format($q$CREATE TEMP TABLE exlink_alerts_shape ON COMMIT DROP AS
SELECT c.period, %2$sc.level, c.cell, c.responses::integer AS responses, c.members::integer AS members,
       NULL::text AS unit, NULL::text AS measure, NULL::text AS kind, NULL::text AS basis,
       NULL::float8 AS figure, NULL::float8 AS target, NULL::float8 AS limit_low, NULL::float8 AS limit_high,
       NULL::float8 AS z, NULL::float8 AS p_value, NULL::float8 AS p_adjusted, NULL::text AS direction, NULL::boolean AS alert,
       NULL::text AS linked_measure, NULL::float8 AS linked_figure, NULL::float8 AS linked_z, NULL::float8 AS phi, NULL::float8 AS tau2,
       NULL::text AS inference, NULL::text AS status
  FROM %1$s AS c WHERE false$q$,
        publication, (SELECT pg_catalog.string_agg(pg_catalog.format('c.%I, ', d), '' ORDER BY i)
                        FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, i)));
    EXECUTE pg_catalog.format('CREATE TABLE %s (LIKE pg_temp.exlink_alerts_shape) PARTITION BY LIST (period)', target);
    DROP TABLE pg_temp.exlink_alerts_shape;
    EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (period, cell, measure, kind, basis)',
                              target, pg_catalog.left(parts[2], 50) || '_pkey');
    obj := pg_catalog.to_regclass(target);
    INSERT INTO @extschema@.alert_tables (object, publication, outcome, drivers, level, grantees)
    VALUES (obj, publication, outcome, drivers, level, grant_to);
    -- the periods sealed already: their alerts are functions of their released cells too
    EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(DISTINCT c.period::text ORDER BY c.period::text) FROM %s AS c', publication)
       INTO sealed;
    sealed := coalesce(sealed, '{}');
    FOREACH v IN ARRAY sealed LOOP
        PERFORM @extschema@.period_partition(obj, v);
    END LOOP;
    PERFORM @extschema@.fill_alerts(obj, sealed);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
        pg_catalog.format('exlink alerts of %s: per unit (%s), sealed period and measure (%s), the unit against the organisation (level), its change from the previous period (change), its drift (EWMA), linked CX-EX signals; computed from released cells only, at each seal; alert where the Benjamini-Hochberg adjusted p < %s',
                          publication, pg_catalog.array_to_string(p.dimensions, ', '),
                          pg_catalog.array_to_string(ARRAY[outcome] || drivers, ', '), level));
    PERFORM @extschema@.comment_alert_columns(obj, publication);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_alerts(text, regclass, name, name[], name[], float8) IS
    'Custodian (publication owner) only: publish an alerts table of a period publication (outcome CX and drivers EX monitored per unit): funnel-plot level, change, drift and linked signals with Benjamini-Hochberg adjusted p, computed from released cells only, for every sealed period and at each later seal.';
REVOKE ALL ON FUNCTION @extschema@.publish_alerts(text, regclass, name, name[], name[], float8) FROM PUBLIC;

CREATE FUNCTION @extschema@.comment_alert_columns(object regclass, publication regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a record;
    note text;
BEGIN
    PERFORM @extschema@.comment_columns(object, publication, 'cells');   -- period, dimensions, level, cell, responses, members
    FOR a IN SELECT att.attname FROM pg_catalog.pg_attribute att
              WHERE att.attrelid = object AND att.attnum > 0 AND NOT att.attisdropped ORDER BY att.attnum LOOP
        note := CASE a.attname
        WHEN 'unit' THEN 'The unit compared (the cell''s key at the finest grain).'
        WHEN 'measure' THEN 'The measure (the outcome or a driver).'
        WHEN 'kind' THEN 'level: the unit against the organisation this period (funnel plot); change: its change from the previous period against the organisation''s; drift: the EWMA of its standardized changes (a persistent slide); linked: the outcome and a driver that matters both low.'
        WHEN 'basis' THEN 'The kind a row is computed on: the kind itself, or for linked rows the kind on which outcome and driver both slipped.'
        WHEN 'figure' THEN 'level: the unit''s mean; change: its change from the previous period; drift: the EWMA (in z units); linked: the driver''s figure.'
        WHEN 'target' THEN 'What the figure is compared with: the organisation''s mean (level), the organisation''s change (change), 0 (drift).'
        WHEN 'limit_low' THEN 'Lower control limit (two-sided, 1 - level), overdispersion included.'
        WHEN 'limit_high' THEN 'Upper control limit (two-sided, 1 - level), overdispersion included.'
        WHEN 'z' THEN 'The standardized difference from the target (overdispersion included).'
        WHEN 'p_value' THEN 'Two-sided p of z (linked: the larger of the two p).'
        WHEN 'p_adjusted' THEN 'Benjamini-Hochberg adjusted p over the period''s level, change and drift rows of every unit and measure (linked: the larger of the two).'
        WHEN 'direction' THEN 'low or high: the side of the target.'
        WHEN 'alert' THEN 'True where p_adjusted is below the level: the alert list (filter on it).'
        WHEN 'linked_measure' THEN 'linked rows: the outcome (CX) that slipped with the driver.'
        WHEN 'linked_figure' THEN 'linked rows: the outcome''s figure.'
        WHEN 'linked_z' THEN 'linked rows: the outcome''s z.'
        WHEN 'phi' THEN 'change and drift rows: the multiplicative factor of the change''s variance, estimated from the units'' winsorized change z-scores (below 1 when the employees answering in both periods make the changes steadier than independent periods would); 1 on level rows.'
        WHEN 'tau2' THEN 'level rows: the additive overdispersion, the variance of the units'' true means around the organisation''s (Spiegelhalter''s winsorized DerSimonian-Laird estimate), added to each unit''s squared standard error; 0 on other rows.'
        WHEN 'inference' THEN 'How the unit''s standard error was computed: cluster-robust CR1 (cluster summary) or over rows, with employee clustering absorbed by tau2 (level) and phi (change).'
        WHEN 'status' THEN 'ok: figures shown; undefined: no standard error (zero variance or too few rows).'
        END;
        IF note IS NOT NULL THEN
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', object, a.attname, note);
        END IF;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION @extschema@.comment_alert_columns(regclass, regclass) IS
    'Used by publish_alerts: a comment on every column of an alerts table.';

-- Called by exlink.unpublish: an alerts table is dropped with its registry row (returns true:
-- nothing else to do); a publication's alerts tables go with it (returns false: unpublish goes on).
CREATE FUNCTION @extschema@.unpublish_alerts(object regclass)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t regclass;
    is_alerts boolean := EXISTS (SELECT 1 FROM @extschema@.alert_tables a WHERE a.object = unpublish_alerts.object);
BEGIN
    FOR t IN SELECT a.object FROM @extschema@.alert_tables a
              WHERE a.object = unpublish_alerts.object OR a.publication = unpublish_alerts.object LOOP
        DELETE FROM @extschema@.alert_tables a WHERE a.object = t;
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t) THEN
            EXECUTE pg_catalog.format('DROP TABLE %s', t);
        END IF;
    END LOOP;
    RETURN is_alerts;
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish_alerts(regclass) IS
    'Used by exlink.unpublish: drops an alerts table (true) or the alerts tables of a publication (false, unpublish goes on).';
