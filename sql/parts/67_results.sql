-- Results for BI: the key-driver model and the correlations of a materialized publication's
-- released cells as plain tables (one row per cell and driver), which a BI tool reads without
-- SQL.  They are computed in the same statement as the cells (exlink.refresh_query, from the
-- cell's own rows, clustered by member) and stored with each cell's release in
-- exlink.released_cells.results, so they are released, held back and hidden exactly with the
-- cell's figures: no new grain, no new snapshot.  A results table is a materialized view over
-- what was released, refreshed by exlink.refresh with its publication.

CREATE TABLE @extschema@.result_tables (
    object regclass PRIMARY KEY,
    publication regclass NOT NULL,
    statistic text NOT NULL CHECK (statistic IN ('drivers', 'correlations', 'driver_map')),
    outcome name NOT NULL,
    drivers name[] NOT NULL,
    result_key text NOT NULL UNIQUE,
    grantees name[] NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- (favourable before bootstrap: the order in which the 0.3.0 update adds them)
    favourable float8,
    bootstrap integer NOT NULL DEFAULT 0 CHECK (bootstrap >= 0),
    bootstrap_seed bigint,
    cluster name
);
COMMENT ON TABLE @extschema@.result_tables IS
    'Registry of results tables made by exlink.publish_results (object, its publication, the statistic, outcome and drivers, who and when).';
COMMENT ON COLUMN @extschema@.result_tables.object IS 'The results table (a table; one made by exlink 0.2.0 is a materialized view).';
COMMENT ON COLUMN @extschema@.result_tables.publication IS 'The materialized publication whose released cells the results describe.';
COMMENT ON COLUMN @extschema@.result_tables.statistic IS '''drivers'' (one row per cell and driver: the key-driver model), ''correlations'' (one row per cell and pair outcome-driver) or ''driver_map'' (one row per cell and driver: importance, performance, quadrant and gain).';
COMMENT ON COLUMN @extschema@.result_tables.outcome IS 'The outcome measure (CX), one of the publication''s measures.';
COMMENT ON COLUMN @extschema@.result_tables.drivers IS 'The driver measures (EX), in order, among the publication''s measures.';
COMMENT ON COLUMN @extschema@.result_tables.result_key IS 'Key of the results in exlink.released_cells.results.';
COMMENT ON COLUMN @extschema@.result_tables.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.result_tables.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.result_tables.published_at IS 'When it was published.';
COMMENT ON COLUMN @extschema@.result_tables.bootstrap IS 'Cluster-bootstrap draws behind the intervals of the importance shares of a drivers table (0: none).';
COMMENT ON COLUMN @extschema@.result_tables.favourable IS 'driver_map only: the cut at or above which a row''s driver value is favourable (the performance is then the share of the cell''s rows at or above it, e.g. 4 on a 1-5 scale: top-2-box); NULL: the performance is the driver''s mean.';
COMMENT ON COLUMN @extschema@.result_tables.bootstrap_seed IS 'The seed of those draws (the same for every cell and every release: a cell''s intervals are a function of the seed and its rows); NULL without draws.';
COMMENT ON COLUMN @extschema@.result_tables.cluster IS 'The dimension of the publication the inference is clustered by in cells that span several of its values (e.g. team in a region row); cells with one value, and every cell when NULL, are clustered by member.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result_tables', '');
-- Which results tables exist is read by every refresh (exlink.results_select), audit and unpublish,
-- so a custodian granted only what exlink 0.1.0 needed (publications, released_cells,
-- release_ledger) keeps refreshing after the update: the columns that name objects are readable
-- by PUBLIC (names, no figures, as in exlink.protected_columns); who published and to whom are not.
REVOKE ALL ON @extschema@.result_tables FROM PUBLIC;
GRANT SELECT (object, publication, statistic, outcome, drivers, result_key, bootstrap, bootstrap_seed) ON @extschema@.result_tables TO PUBLIC;
-- favourable: a driver map's cut (a parameter, not a figure), read by every refresh's results_select
GRANT SELECT (favourable) ON @extschema@.result_tables TO PUBLIC;
-- cluster: the dimension results are clustered by (a parameter), read by results_select too
GRANT SELECT (cluster) ON @extschema@.result_tables TO PUBLIC;

-- The SQL (inside exlink.refresh_query's grouped query over src, whose exlink_vals are the
-- publication's measures) of a cell's results: a jsonb object holding, per results table of
-- the publication, the text of its driver model or of its correlations; NULL without any.
-- Inference is clustered by member, or, for a results table with a cluster dimension, by that
-- dimension in the cells that span several of its values (GROUPING(src.dim) = 1: a roll-up or
-- total row); a cell with one value of it is clustered by member (the dimension's shared part
-- is a constant there, absorbed by the intercept).  A NULL value of the dimension is a cluster
-- of its own, as GROUP BY makes it a cell of its own.
CREATE FUNCTION @extschema@.results_select(release_key text, measures name[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- a map's cut is written into the SQL as text: every digit, whatever the session's setting
-- (red team 0.3.0: at extra_float_digits = 0 a cut of 3.4999999999999996 was applied as 3.5)
SET extra_float_digits = 3
AS $fn$
DECLARE
    t record;
    o integer;
    idx integer[];
    parts text[] := '{}';
    shares text[] := '{}';
    by_member text;
    cluster_arg text;
BEGIN
    FOR t IN SELECT rt.statistic, rt.outcome, rt.drivers, rt.result_key, rt.bootstrap, rt.bootstrap_seed, rt.favourable, rt.cluster
               FROM @extschema@.result_tables rt
               JOIN @extschema@.publications p ON p.object = rt.publication
              WHERE p.release_key = results_select.release_key
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt.object)   -- not dropped
              ORDER BY rt.result_key LOOP
        o := pg_catalog.array_position(measures, t.outcome);
        idx := ARRAY(SELECT pg_catalog.array_position(measures, d) FROM pg_catalog.unnest(t.drivers) WITH ORDINALITY AS u(d, i) ORDER BY u.i);
        IF o IS NULL OR pg_catalog.array_position(idx, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'results table % reads a measure its publication does not publish', t.result_key
                USING ERRCODE = '55000';
        END IF;
        by_member :=
            CASE
            WHEN t.statistic = 'drivers' AND t.bootstrap > 0 THEN
                -- with the bootstrap intervals of the shares: the default inference, no groups,
                -- the table's draws and seed (constants of the call, as the aggregate requires)
                pg_catalog.format('@extschema@.driver_weights(src.exlink_vals[%s], ARRAY[%s]::float8[], src.exlink_member, %L::text[], %L::text, NULL::text[], %s::integer, %s::bigint)',
                                  o, (SELECT pg_catalog.string_agg(pg_catalog.format('src.exlink_vals[%s]', i), ', ') FROM pg_catalog.unnest(idx) AS i),
                                  t.drivers::text[], 'cluster', t.bootstrap, t.bootstrap_seed)
            WHEN t.statistic = 'drivers' THEN   -- and 'driver_map': the same model (its means are the performance)
                pg_catalog.format('@extschema@.driver_weights(src.exlink_vals[%s], ARRAY[%s]::float8[], src.exlink_member, %L::text[])',
                                  o, (SELECT pg_catalog.string_agg(pg_catalog.format('src.exlink_vals[%s]', i), ', ') FROM pg_catalog.unnest(idx) AS i),
                                  t.drivers::text[])
            WHEN t.statistic = 'driver_map' THEN
                pg_catalog.format('@extschema@.driver_weights(src.exlink_vals[%s], ARRAY[%s]::float8[], src.exlink_member, %L::text[])',
                                  o, (SELECT pg_catalog.string_agg(pg_catalog.format('src.exlink_vals[%s]', i), ', ') FROM pg_catalog.unnest(idx) AS i),
                                  t.drivers::text[])
            ELSE
                pg_catalog.format('ARRAY[%s]::@extschema@.correlation[]',
                                  (SELECT pg_catalog.string_agg(pg_catalog.format('@extschema@.linked_correlation(src.exlink_vals[%s], src.exlink_vals[%s], src.exlink_member)', o, i), ', ')
                                     FROM pg_catalog.unnest(idx) AS i))
            END;
        IF t.cluster IS NULL THEN
            parts := parts || pg_catalog.format('%L, (%s)::text', t.result_key, by_member);
        ELSE
            -- (publish_results refuses bootstrap draws with a cluster: they resample members)
            cluster_arg := pg_catalog.format('CASE WHEN src.%1$I IS NULL THEN %2$L ELSE %3$L || src.%1$I::text END', t.cluster, 'null', 'v:');
            -- the clustered inference goes through the release decision counted in clusters
            -- (exlink.withhold_clustered; red team 0.3.0: few teams, some hidden, let the split of
            -- a hidden team's members reach the standard errors)
            parts := parts || pg_catalog.format('%L, (CASE WHEN GROUPING(src.%I) = 0 THEN (%s)::text ELSE @extschema@.withhold_clustered((%s)::text, %s, %s, %s) END)', t.result_key, t.cluster, by_member,
                CASE WHEN t.statistic IN ('drivers', 'driver_map') THEN
                    pg_catalog.format('@extschema@.driver_weights(src.exlink_vals[%s], ARRAY[%s]::float8[], src.exlink_member, %L::text[], %L::text, NULL::text[], %s)',
                                      o, (SELECT pg_catalog.string_agg(pg_catalog.format('src.exlink_vals[%s]', i), ', ') FROM pg_catalog.unnest(idx) AS i),
                                      t.drivers::text[], 'cluster', cluster_arg)
                ELSE
                    pg_catalog.format('ARRAY[%s]::@extschema@.correlation[]',
                                      (SELECT pg_catalog.string_agg(pg_catalog.format('@extschema@.linked_correlation(src.exlink_vals[%s], src.exlink_vals[%s], src.exlink_member, %L::float8, %L::text, %s)',
                                                                                      o, i, 0.95, 'cluster', cluster_arg), ', ')
                                         FROM pg_catalog.unnest(idx) AS i))
                END,
                coalesce((SELECT pg_catalog.max(p.k) FROM @extschema@.publications p WHERE p.release_key = results_select.release_key), 0),
                pg_catalog.cardinality(measures), @extschema@.results_fourth_order(results_select.release_key));
        END IF;
        -- A map's share favourable: per driver the share of the cell's rows (those of its model)
        -- at or above the cut, under the key KEY/favourable (exlink.driver_map_rows reads it).
        IF t.statistic = 'driver_map' AND t.favourable IS NOT NULL THEN
            shares := shares || pg_catalog.format('%L, (ARRAY[%s]::float8[])::text', t.result_key || '/favourable',
                (SELECT pg_catalog.string_agg(pg_catalog.format('pg_catalog.avg(CASE WHEN src.exlink_vals[%s] >= %s::float8 THEN 1.0::float8 ELSE 0.0::float8 END)', u.i, t.favourable), ', ' ORDER BY u.n)
                   FROM pg_catalog.unnest(idx) WITH ORDINALITY AS u(i, n)));
        END IF;
    END LOOP;
    IF pg_catalog.cardinality(parts) = 0 THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.cardinality(parts) > 50 THEN
        RAISE EXCEPTION 'a publication can have at most 50 results tables' USING ERRCODE = '54000';
    END IF;
    RETURN 'pg_catalog.jsonb_build_object(' || pg_catalog.array_to_string(parts || shares, ', ') || ')';
END
$fn$;
COMMENT ON FUNCTION @extschema@.results_select(text, name[]) IS
    'SQL (inside exlink.refresh_query) of a cell''s results: per results table of the publication, its driver model or correlations as text, in a jsonb object (NULL without results tables).';

-- The rows of one cell of a drivers results table.  Inference (standard error, interval, p) is
-- withheld below 2(q + 2) members: with one row per member, a cell's means and co-moments plus
-- the q(q + 1)/2 clustered variances are as many numbers as the members' values once the
-- members are q + 2 or fewer; the margin keeps the published numbers well short of the data.
-- model NULL: the cell was held back since before the results table existed (pending).
CREATE FUNCTION @extschema@.driver_results(model @extschema@.driver_model, outcome name, names text[], members bigint)
RETURNS TABLE (ordinal integer, outcome text, driver text, beta float8, beta_se float8, ci_low float8, ci_high float8,
               p_value float8, relative_weight float8, relative_weight_share float8, lmg float8, lmg_share float8,
               rank integer, r2 float8, adj_r2 float8, clusters bigint, df float8, inference text, status text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH w AS (
        SELECT $4 < 2 * (pg_catalog.cardinality($3) + 2) AS withheld,
               pg_catalog.format('withheld: fewer than %s members for %s drivers', 2 * (pg_catalog.cardinality($3) + 2),
                                 pg_catalog.cardinality($3)) AS why)
    SELECT n.ordinal::integer, $2::text, n.driver, d.beta,
           CASE WHEN NOT w.withheld THEN d.beta_se END,
           CASE WHEN NOT w.withheld THEN d.ci_low END,
           CASE WHEN NOT w.withheld THEN d.ci_high END,
           CASE WHEN NOT w.withheld THEN d.p_value END,
           d.relative_weight, d.relative_weight_share, d.lmg, d.lmg_share, d.rank,
           ($1).r2, ($1).adj_r2, ($1).clusters, CASE WHEN NOT w.withheld THEN d.df END,
           CASE WHEN $1 IS NULL THEN NULL WHEN w.withheld AND ($1).inference IS NOT NULL THEN w.why ELSE ($1).inference END,
           CASE WHEN $1 IS NULL THEN 'pending: the cell was held back before this results table existed' ELSE ($1).status END
      FROM w
     CROSS JOIN pg_catalog.unnest($3) WITH ORDINALITY AS n(driver, ordinal)
      LEFT JOIN pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, df, b, b_se, b_ci_low, b_ci_high,
                relative_weight_share_low, relative_weight_share_high, lmg_share_low, lmg_share_high, ordinal) ON d.ordinal = n.ordinal
     ORDER BY n.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.driver_results(@extschema@.driver_model, name, text[], bigint) IS
    'The rows of one cell of a drivers results table: per driver the standardized beta, its clustered (CR2) standard error, 95% interval, p and df (withheld below 2(q + 2) members), relative weight, LMG and their shares, rank, R², clusters, inference, status.';

-- The rows of one cell of a correlations results table (inference withheld below 6 members,
-- the drivers rule with q = 1).
CREATE FUNCTION @extschema@.correlation_results(correlations @extschema@.correlation[], outcome name, names text[], members bigint)
RETURNS TABLE (ordinal integer, outcome text, driver text, r float8, ci_low float8, ci_high float8, p_value float8,
               clusters bigint, df float8, inference text, status text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH w AS (SELECT $4 < 6 AS withheld)
    SELECT n.ordinal::integer, $2::text, n.driver, c.r,
           CASE WHEN NOT w.withheld THEN c.ci_low END,
           CASE WHEN NOT w.withheld THEN c.ci_high END,
           CASE WHEN NOT w.withheld THEN c.p_value END,
           c.clusters, CASE WHEN NOT w.withheld THEN c.df END,
           CASE WHEN w.withheld AND c.inference IS NOT NULL THEN 'withheld: fewer than 6 members' ELSE c.inference END,
           CASE WHEN $1 IS NULL THEN 'pending: the cell was held back before this results table existed' ELSE c.status END
      FROM w
     CROSS JOIN pg_catalog.unnest($3) WITH ORDINALITY AS n(driver, ordinal)
      LEFT JOIN pg_catalog.unnest($1) WITH ORDINALITY
           AS c(n, members, r, t, df, p_value, ci_low, ci_high, suppressed, status, skipped, level, clusters, inference, ordinal)
           ON c.ordinal = n.ordinal
     ORDER BY n.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.correlation_results(@extschema@.correlation[], name, text[], bigint) IS
    'The rows of one cell of a correlations results table: per driver the correlation r with the outcome, its clustered 95% interval, p and df (withheld below 6 members), clusters, inference, status.';

-- The definition of a results table: exlink.results_query, in 69_bi.sql (its columns are BI's).

-- The withheld-inference bound of a cell, over ALL its results tables together (the release
-- decision's fourth-order rule, src/release_policy.c; the counting argument is in
-- docs/security.md, "Withheld inference").  A cell publishes the means and co-moments of its v
-- measures; its results tables add fourth-order figures: the clustered covariance of a drivers
-- table's q betas (q(q + 1)/2 numbers, counted whole although only the q standard errors are
-- shown) and the q standard errors of a correlations table; the Satterthwaite df shown beside
-- each standard error (q per drivers or map table, one per correlation pair: functions of the
-- members' rows that the covariance does not fix); a drivers table with bootstrap draws adds
-- the 4q ends of its share intervals (percentiles over resampled members: functions of the
-- members' own rows, so counted like the covariance); a map with a cut its q shares favourable
-- (counts of rows below a cut).  Every figure counted here is withheld with the inference when
-- the bound refuses (withhold_inference): one rule, fail-closed.  results_fourth_order gives that
-- count for a publication; exlink.release_cells asks exlink.release_status with it at every
-- refresh and withholds the inference of every cell it refuses (withhold_inference), so the
-- bound follows the variables actually published.  driver_results and correlation_results
-- keep 0.2.0's per-table bound as a floor for results stored before the update (the cell rule
-- is never less strict than it).
CREATE FUNCTION @extschema@.results_fourth_order(release_key text)
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT coalesce(pg_catalog.sum(CASE rt.statistic
                                   -- the betas' covariance, and each slope's Satterthwaite df (q more:
                                   -- shown beside each standard error, not fixed by the covariance);
                                   -- the bootstrap intervals of the relative-weight and LMG shares: 4 more per driver
                                   WHEN 'drivers' THEN pg_catalog.cardinality(rt.drivers) * (pg_catalog.cardinality(rt.drivers) + 1) / 2
                                                       + pg_catalog.cardinality(rt.drivers)
                                                       + CASE WHEN rt.bootstrap > 0 THEN 4 * pg_catalog.cardinality(rt.drivers) ELSE 0 END
                                   WHEN 'driver_map' THEN pg_catalog.cardinality(rt.drivers) * (pg_catalog.cardinality(rt.drivers) + 1) / 2
                                                          + pg_catalog.cardinality(rt.drivers)
                                                          -- its shares favourable: q more figures of the cell's rows
                                                          + CASE WHEN rt.favourable IS NOT NULL THEN pg_catalog.cardinality(rt.drivers) ELSE 0 END
                                   -- per pair one standard error and its jackknife df
                                   ELSE 2 * pg_catalog.cardinality(rt.drivers) END), 0)::integer
      FROM @extschema@.result_tables rt
      JOIN @extschema@.publications p ON p.object OPERATOR(pg_catalog.=) rt.publication
     WHERE (p.release_key OPERATOR(pg_catalog.=) $1
            -- the period publications of one lattice release the same cells (a grain sealed by
            -- one is fixed for the others): their results tables publish figures of the same
            -- cells, so they count together (red team: a correlations table on one and a drivers
            -- table on the other each passed alone, 7 + 28 figures for 19 members together)
            OR (p.kind OPERATOR(pg_catalog.=) 'periods'
                AND EXISTS (SELECT 1 FROM @extschema@.publications me
                             WHERE me.release_key OPERATOR(pg_catalog.=) $1 AND me.kind OPERATOR(pg_catalog.=) 'periods'
                               AND me.base_tables OPERATOR(pg_catalog.&&) p.base_tables)))
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rt.object)
$fn$;
COMMENT ON FUNCTION @extschema@.results_fourth_order(text) IS
    'The figures not functions of the published moments that the results tables of a publication (by release key; of a period publication, those of every period publication over the same tables too) publish per cell: q(q + 1)/2 + q per drivers or driver_map table (the betas'' clustered covariance, behind the gains'' intervals too, and each slope''s Satterthwaite df; q more for a map''s shares favourable), 4q more per drivers table with bootstrap draws (the ends of the relative-weight and LMG share intervals), 2q per correlations table (one standard error and one df per pair); the fact exlink.release_status weighs against the cell''s members and measures (all of them withheld when it refuses).';

-- A cell's results with their inference withheld (why: the refusal, e.g. 'withheld: too few
-- members for the inference published with the cell'): every standard error, t, p, interval,
-- df and covariance NULL (with the unstandardized slope's and the bootstrap intervals of the
-- shares), a map's shares favourable NULL (counted with them by results_fourth_order: several
-- maps with other cuts would give the cell's drivers' distribution), the inference column
-- saying why; betas, slopes, correlations, weights and R² stay (functions of the published
-- moments).  NULL why: the results unchanged.
CREATE FUNCTION @extschema@.withhold_inference(results jsonb, why text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    key text;
    val text;
    m @extschema@.driver_model;
    out jsonb := '{}';
BEGIN
    IF results IS NULL OR why IS NULL THEN
        RETURN results;
    END IF;
    FOR key, val IN SELECT e.key, e.value FROM pg_catalog.jsonb_each_text(results) AS e LOOP
        IF val IS NULL THEN
            out := out OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(key, val);
        ELSIF key LIKE '%/favourable' THEN
            -- a map's shares favourable: as many NULLs (not none: without shares a map shows
            -- the means, and exlink.driver_map_rows must not show those under the cut's label)
            out := out OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(key,
                ARRAY(SELECT NULL::float8 FROM pg_catalog.unnest(val::float8[]))::text);
        ELSIF pg_catalog.left(val, 1) OPERATOR(pg_catalog.=) '(' THEN
            m := val::@extschema@.driver_model;
            m.drivers := ARRAY(SELECT ROW(d.name, d.beta, NULL, NULL, NULL, d.pratt, d.relative_weight, d.relative_weight_share,
                                          d.lmg, d.lmg_share, d.rank, NULL, NULL, NULL, d.b, NULL, NULL, NULL,
                                          NULL, NULL, NULL, NULL)::@extschema@.driver
                                 FROM pg_catalog.unnest(m.drivers) WITH ORDINALITY AS d(name, beta, beta_se, t, p_value, pratt,
                                      relative_weight, relative_weight_share, lmg, lmg_share, rank, ci_low, ci_high, df, b, b_se,
                                      b_ci_low, b_ci_high, relative_weight_share_low, relative_weight_share_high,
                                      lmg_share_low, lmg_share_high, o)
                                ORDER BY d.o);
            m.vcov := NULL;
            m.df := NULL;
            m.inference := CASE WHEN m.inference IS NOT NULL THEN why END;
            out := out OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(key, m::text);
        ELSE
            out := out OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(key,
                ARRAY(SELECT ROW(c.n, c.members, c.r, NULL, NULL, NULL, NULL, NULL, c.suppressed, c.status, c.skipped, c.level,
                                 c.clusters, CASE WHEN c.inference IS NOT NULL THEN why END)::@extschema@.correlation
                        FROM pg_catalog.unnest(val::@extschema@.correlation[]) WITH ORDINALITY
                             AS c(n, members, r, t, df, p_value, ci_low, ci_high, suppressed, status, skipped, level, clusters, inference, o)
                       ORDER BY c.o)::text);
        END IF;
    END LOOP;
    RETURN out;
END
$fn$;
COMMENT ON FUNCTION @extschema@.withhold_inference(jsonb, text) IS
    'A cell''s results (a jsonb of driver models and correlation arrays as text) with every standard error, t, p, interval, df and covariance removed, a map''s shares favourable NULL, and the inference column set to why; NULL why returns them unchanged.';

-- A cell's stored results, each withheld where its fresh computation (the same rows, the
-- current results tables) withholds the inference: a refresh keeps the results already
-- released for an unchanged cell (recomputed, they could differ in the last bits), but a
-- decision made when they were computed may not hold any more.  Red team follow-up: a total
-- row clustered by team kept the inference released when its table was the publication's only
-- one after a later table raised the count (8 clusters shown where the bound asked for 12).
-- The cell's own decision is applied to the whole by withhold_inference; this carries over the
-- per-table ones (exlink.withhold_clustered).
CREATE FUNCTION @extschema@.withhold_like(results jsonb, fresh jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    key text;
    val text;
    now_ text;
    why text;
    out jsonb := '{}';
BEGIN
    IF results IS NULL OR fresh IS NULL THEN
        RETURN results;
    END IF;
    FOR key, val IN SELECT e.key, e.value FROM pg_catalog.jsonb_each_text(results) AS e LOOP
        now_ := fresh OPERATOR(pg_catalog.->>) key;
        why := NULL;
        IF val IS NOT NULL AND now_ IS NOT NULL AND key NOT LIKE '%/favourable' THEN
            IF pg_catalog.left(now_, 1) OPERATOR(pg_catalog.=) '(' THEN
                SELECT m.inference INTO why FROM pg_catalog.unnest(ARRAY[now_::@extschema@.driver_model]) AS m;
            ELSE
                SELECT pg_catalog.min(c.inference) INTO why FROM pg_catalog.unnest(now_::@extschema@.correlation[]) AS c
                 WHERE c.inference LIKE 'withheld%';
            END IF;
        END IF;
        IF why LIKE 'withheld%' THEN
            out := out OPERATOR(pg_catalog.||) @extschema@.withhold_inference(pg_catalog.jsonb_build_object(key, val), why);
        ELSE
            out := out OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(key, val);
        END IF;
    END LOOP;
    RETURN out;
END
$fn$;
COMMENT ON FUNCTION @extschema@.withhold_like(jsonb, jsonb) IS
    'A cell''s stored results (a jsonb of driver models and correlation arrays as text) with the inference of each withheld (exlink.withhold_inference) where the same key of fresh, its results computed again now, is withheld; used by exlink.release_cells for the cells whose released results it keeps.';

-- One results table's model (a driver_model) or correlations (a correlation[]) of a cell whose
-- inference is clustered by a dimension (a region row clustered by team), as text, with the
-- inference withheld unless the release decision allows it counted in clusters: at least k
-- clusters, and the fourth-order bound (all the publication's results tables, v measures) with
-- the clusters as the units.  The cell's own decision (members, share, the bound in members)
-- is made apart, at the refresh or seal.  Red team 0.3.0 (security_composition): a total row of
-- 4 teams, two of them hidden, showed other standard errors and df when one hidden employee was
-- labelled with the other hidden team, every released cell unchanged.
CREATE FUNCTION @extschema@.withhold_clustered(results text, k integer, variables integer, fourth_order integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    members bigint;
    clusters bigint;
    shown boolean;
    status text;
BEGIN
    IF results IS NULL THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.left(results, 1) OPERATOR(pg_catalog.=) '(' THEN
        SELECT m.members, m.clusters,
               EXISTS (SELECT 1 FROM pg_catalog.unnest(m.drivers) AS d
                        WHERE d.beta_se IS NOT NULL OR d.ci_low IS NOT NULL OR d.df IS NOT NULL)
          INTO members, clusters, shown
          FROM pg_catalog.unnest(ARRAY[results::@extschema@.driver_model]) AS m;
    ELSE
        SELECT pg_catalog.max(c.members), pg_catalog.max(c.clusters),
               pg_catalog.bool_or(c.t IS NOT NULL OR c.ci_low IS NOT NULL OR c.df IS NOT NULL)
          INTO members, clusters, shown
          FROM pg_catalog.unnest(results::@extschema@.correlation[]) AS c;
    END IF;
    IF clusters IS NULL THEN
        -- No cluster count: nothing to decide where no inference is shown (a suppressed or
        -- failed model); inference shown without the fact the decision needs is withheld.
        IF NOT coalesce(shown, false) THEN
            RETURN results;
        END IF;
        status := 'suppressed: the number of clusters is not known';
    ELSE
        status := @extschema@.release_status(members, k, NULL, NULL, NULL, NULL, NULL, NULL, variables,
                                             GREATEST(fourth_order, 1), clusters);
    END IF;
    IF status OPERATOR(pg_catalog.=) 'ok' THEN
        RETURN results;
    END IF;
    RETURN @extschema@.withhold_inference(pg_catalog.jsonb_build_object('r', results),
                                          'withheld: ' OPERATOR(pg_catalog.||) pg_catalog.substr(status, pg_catalog.length('suppressed: ') + 1))
           OPERATOR(pg_catalog.->>) 'r';
END
$fn$;
COMMENT ON FUNCTION @extschema@.withhold_clustered(text, integer, integer, integer) IS
    'Used by results tables clustered by a dimension: a cell''s model or correlations (as text) with the inference withheld unless exlink.release_status allows it counted in clusters (shown inference without a number of clusters: withheld) (at least max(k, exlink.min_group_size) clusters, and the fourth-order bound over all results tables with the clusters as units).';

CREATE FUNCTION @extschema@.publish_results(
    results text,
    publication regclass,
    outcome name,
    drivers name[],
    statistic text DEFAULT 'drivers',
    grant_to name[] DEFAULT '{}',
    bootstrap integer DEFAULT 0,
    seed bigint DEFAULT NULL,
    favourable float8 DEFAULT NULL,
    cluster name DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    parts text[];
    target text;
    owner oid;
    obj regclass;
    r name;
    key text := pg_catalog.gen_random_uuid()::text;
    pub_name text;
    nq integer := coalesce(pg_catalog.array_length(drivers, 1), 0);
BEGIN
    IF results IS NULL OR publication IS NULL OR outcome IS NULL OR drivers IS NULL OR statistic IS NULL OR grant_to IS NULL
       OR bootstrap IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_results arguments cannot be null' USING ERRCODE = '22023',
            HINT = 'Only seed may be NULL (a seed derived from the publication and the results table).';
    END IF;
    IF bootstrap <> 0 AND statistic <> 'drivers' THEN
        RAISE EXCEPTION 'bootstrap draws are for statistic ''drivers'' only' USING ERRCODE = '22023',
            DETAIL = 'They give the intervals of the relative-weight and LMG shares of a drivers table.';
    END IF;
    IF bootstrap < 0 OR bootstrap > 100000 THEN   -- EXLINK_BOOTSTRAP_MAX_DRAWS (driver_bootstrap.h)
        RAISE EXCEPTION 'bootstrap must be between 0 (none) and 100000 draws' USING ERRCODE = '22023';
    END IF;
    IF cluster IS NOT NULL AND bootstrap <> 0 THEN
        RAISE EXCEPTION 'bootstrap draws cannot be combined with a cluster' USING ERRCODE = '22023',
            DETAIL = 'The bootstrap resamples members; a results table clustered by a dimension has none.';
    END IF;
    IF statistic = 'alerts' THEN   -- 70_alerts.sql: computed from the released cells, not per cell
        IF cluster IS NOT NULL THEN
            RAISE EXCEPTION 'alerts tables take no cluster' USING ERRCODE = '22023';
        END IF;
        RETURN @extschema@.publish_alerts(results, publication, outcome, drivers, grant_to);
    END IF;
    IF statistic NOT IN ('drivers', 'correlations', 'driver_map') THEN
        RAISE EXCEPTION 'statistic must be ''drivers'', ''correlations'', ''driver_map'' or ''alerts''' USING ERRCODE = '22023';
    END IF;
    IF favourable IS NOT NULL AND statistic <> 'driver_map' THEN
        RAISE EXCEPTION 'favourable applies to statistic driver_map only' USING ERRCODE = '22023';
    END IF;
    IF favourable IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN
        RAISE EXCEPTION 'favourable must be a finite number' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    IF p.kind = 'live' THEN
        RAISE EXCEPTION 'results can only be published for a materialized publication' USING ERRCODE = '0A000',
            DETAIL = 'Results are released with the cells by exlink.refresh; a live publication has no release.';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = publication;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;
    IF nq = 0 THEN
        RAISE EXCEPTION 'at least one driver is required' USING ERRCODE = '22023';
    END IF;
    IF nq > 15 THEN
        RAISE EXCEPTION 'at most 15 drivers' USING ERRCODE = '54000',
            DETAIL = 'Clustered inference keeps each member''s moments of the outcome and drivers per cell (at most 16 variables).';
    END IF;
    IF NOT (ARRAY[outcome] || drivers) <@ p.measures THEN
        RAISE EXCEPTION 'outcome and drivers must be measures of publication %', publication USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It publishes %s.', pg_catalog.array_to_string(p.measures, ', ')),
            HINT = 'Results are computed from each cell''s own rows, which are complete in the publication''s measures.';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(ARRAY[outcome] || drivers) c) <> nq + 1 THEN
        RAISE EXCEPTION 'outcome and drivers must be distinct' USING ERRCODE = '22023';
    END IF;
    IF cluster IS NOT NULL AND NOT cluster = ANY (p.dimensions) THEN
        RAISE EXCEPTION 'cluster must be a dimension of publication %', publication USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('Its dimensions are %s.', pg_catalog.array_to_string(p.dimensions, ', ')),
            HINT = 'Results are clustered by that dimension in the cells that span several of its values (e.g. team in a region row of a roll-up).';
    END IF;
    parts := @extschema@.schema_qualified_name(results, 'results table');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
    -- The draws' seed: given, or derived from the publication and the results table's names, so
    -- that publishing the same table again (or sealing another period) draws the same way.
    IF bootstrap > 0 AND seed IS NULL THEN
        seed := pg_catalog.hashtextextended(publication::text || ' ' || target, 18);
    END IF;
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;
    DELETE FROM @extschema@.result_tables rt
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt.object)
        OR NOT EXISTS (SELECT 1 FROM @extschema@.publications pub WHERE pub.object = rt.publication);
    IF (SELECT pg_catalog.count(*) FROM @extschema@.result_tables rt WHERE rt.publication = publish_results.publication) >= 50 THEN
        RAISE EXCEPTION 'a publication can have at most 50 results tables' USING ERRCODE = '54000';
    END IF;

    -- A period publication: a table partitioned by period like it, whose partitions
    -- exlink.seal_periods adds with the results of each period sealed from now on, computed with
    -- the period's cells from the same rows (periods sealed before have none: their rows may have
    -- changed since, and results of other rows than the released cells' would be a new release).
    IF p.kind = 'periods' THEN
        IF pg_catalog.to_regclass('pg_temp.exlink_results_shape') IS NOT NULL THEN
            DROP TABLE pg_temp.exlink_results_shape;
        END IF;
        EXECUTE pg_catalog.format('CREATE TEMP TABLE exlink_results_shape ON COMMIT DROP AS SELECT NULL::%s AS period, %s, x.*, NULL::float8 AS p_adjusted FROM (SELECT NULL::text[] AS figures) AS r CROSS JOIN LATERAL @extschema@.%s(NULL, %L::name, %L::text[], 0) AS x WHERE false',
                                  p.period_type, @extschema@.typed_figures(p.source, p.dimensions, '{}'),
                                  CASE statistic WHEN 'drivers' THEN CASE WHEN bootstrap > 0 THEN 'driver_bootstrap_rows' ELSE 'driver_rows' END
                                                 WHEN 'driver_map' THEN 'driver_map_rows' ELSE 'correlation_rows' END, outcome, drivers::text[]);
        -- counts are integers in results tables (69_bi.sql)
        ALTER TABLE pg_temp.exlink_results_shape ALTER COLUMN responses TYPE integer, ALTER COLUMN members TYPE integer;
        EXECUTE pg_catalog.format('CREATE TABLE %s (LIKE pg_temp.exlink_results_shape) PARTITION BY LIST (period)', target);
        DROP TABLE pg_temp.exlink_results_shape;
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (period, cell, ordinal)', target, pg_catalog.left(parts[2], 50) || '_pkey');
        obj := pg_catalog.to_regclass(target);
        INSERT INTO @extschema@.result_tables (object, publication, statistic, outcome, drivers, result_key, grantees, bootstrap, bootstrap_seed, favourable, cluster)
        VALUES (obj, publication, statistic, outcome, drivers, key, grant_to, bootstrap, CASE WHEN bootstrap > 0 THEN seed END, favourable, cluster);
        EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
        FOREACH r IN ARRAY grant_to LOOP
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
        END LOOP;
        EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
            pg_catalog.format('exlink results (%s) of %s: %s on %s, per period sealed after it was made, released with its cells; %s', statistic, publication, outcome,
                              pg_catalog.array_to_string(drivers, ', '), CASE WHEN cluster IS NULL THEN 'inference clustered by member'
                              ELSE pg_catalog.format('inference clustered by %1$s in the cells that span several values of %1$s (roll-up rows), by member in the others', cluster) END));
        PERFORM @extschema@.comment_columns(obj, publication, statistic);   -- 69_bi.sql
        RETURN obj;
    END IF;

    -- A publication made by exlink 0.1.0 gets its first guarded release (and is rebuilt) first,
    -- so that it has a release key for the results table's definition.
    IF p.release_key IS NULL THEN
        pub_name := publication::text;   -- the rebuilt view keeps the name, not the OID
        PERFORM @extschema@.refresh(publication);
        publication := pg_catalog.to_regclass(pub_name);
    END IF;
    -- The table, registered before the release so that exlink.refresh_query computes its results
    -- (a new release of every cell that changed, the same results of every unchanged cell; a
    -- cell held back keeps its last release, whose results are pending).
    EXECUTE pg_catalog.format('CREATE TABLE %s AS %s WITH NO DATA', target,
                              @extschema@.results_query(key, publication, statistic, outcome, drivers, bootstrap));
    obj := pg_catalog.to_regclass(target);
    INSERT INTO @extschema@.result_tables (object, publication, statistic, outcome, drivers, result_key, grantees, bootstrap, bootstrap_seed, favourable, cluster)
    VALUES (obj, publication, statistic, outcome, drivers, key, grant_to, bootstrap, CASE WHEN bootstrap > 0 THEN seed END, favourable, cluster);
    EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell, ordinal)', pg_catalog.left(parts[2], 50) || '_row', target);
    PERFORM @extschema@.refresh(publication);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
        pg_catalog.format('exlink results (%s) of %s: %s on %s, released with its cells; %s', statistic, publication, outcome,
                          pg_catalog.array_to_string(drivers, ', '), CASE WHEN cluster IS NULL THEN 'inference clustered by member'
                              ELSE pg_catalog.format('inference clustered by %1$s in the cells that span several values of %1$s (roll-up rows), by member in the others', cluster) END));
    PERFORM @extschema@.comment_columns(obj, publication, statistic);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) IS
    'Custodian (publication owner) only: publish a flat results table of a publication: per released cell, one row per driver of the key-driver model of outcome on drivers (statistic ''drivers''), of its correlation with the outcome (''correlations''), or of the key driver map (''driver_map'': importance, performance, quadrant, gain per unit; performance the driver''s mean, or with favourable the share of the cell''s rows at or above that cut), clustered by member, or (cluster: a dimension of the publication, e.g. team; not with bootstrap) by that dimension in the cells that span several of its values (roll-up rows) and by member in the others. Of a period publication: a table partitioned by period, filled when each later period is sealed; of a snapshot: refreshes it through the guard (exlink.refresh) and is refreshed with it. bootstrap > 0 (drivers only): that many cluster-bootstrap draws per cell give 95% intervals of the relative-weight and LMG shares (four more columns), seeded by seed (NULL: hashtextextended(publication || '' '' || results table, 18)).';
REVOKE ALL ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) FROM PUBLIC;
