-- BI: what a tool needs to read results tables without SQL.  One vocabulary of status codes for
-- every results statistic, with booleans a tool filters on and the explanation apart; no figure
-- where there is no estimate; integer counts.  The row functions wrap the results of
-- 67_results.sql (driver_results, correlation_results: the release rules, e.g. withheld
-- inference, stay there) and classify them.
--
-- Status codes (column status of every results table; docs/bi-and-scheduling.md):
--   ok            every figure shown
--   few_clusters  every figure shown; fewer than 30 members (clusters): intervals and p may be too narrow
--   withheld      estimates shown; standard errors, intervals and p withheld by exlink's
--                 disclosure rule (too few members for them)
--   no_inference  estimates shown; standard errors, intervals or p undefined on the data
--                 (a perfect fit, no more rows than coefficients)
--   saturated     no figures: fewer than two members per coefficient (2(q + 1) for q drivers)
--   collinear     no figures: the drivers are collinear, so no betas and no importance
--   undefined     no figures: the statistic is undefined on the cell's data (zero variance, ...)
--   pending       no figures yet: the cell was held back before the results table existed
--   suppressed    no figures: the unit is not published (exlink.publish_coverage's views)

-- The saturation rule for point estimates: a driver model over a cell estimates q + 1
-- coefficients (q slopes and the intercept) from members who each bring one set of driver
-- values (or a few, one per period), so with m members it has about m - q - 1 degrees of freedom
-- between members.  At m <= q + 1 the model fits the members' means exactly and its betas are
-- noise of any size (a cell of 8 members with 7 drivers shows betas of -0.87 and 1.07); below
-- two members per coefficient the betas, and the shares and ranks that rank them, say more
-- about chance than about drivers.  So estimates need at least 2(q + 1) members, one less pair
-- than inference needs (2(q + 2), 67_results.sql): every saturated cell also has its inference
-- withheld.
CREATE FUNCTION @extschema@.saturation_floor(drivers integer)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT 2 * ($1 + 1)
$fn$;
COMMENT ON FUNCTION @extschema@.saturation_floor(integer) IS
    'The fewest members a driver model over q drivers needs for its point estimates in a results table: 2(q + 1), two per coefficient (status saturated below).';

-- The rows of one cell of a drivers results table (0.3.0 columns).
CREATE FUNCTION @extschema@.driver_rows(model @extschema@.driver_model, outcome name, names text[], members bigint)
RETURNS TABLE (ordinal integer, outcome text, driver text, beta float8, beta_se float8, ci_low float8, ci_high float8,
               p_value float8, relative_weight float8, relative_weight_share float8, lmg float8, lmg_share float8,
               rank integer, r2 float8, adj_r2 float8, clusters integer, df float8, inference text,
               has_betas boolean, inference_shown boolean, status text, status_detail text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH d AS (SELECT * FROM @extschema@.driver_results($1, $2, $3, $4)),
    cell AS (
        SELECT pg_catalog.bool_or(d.beta IS NOT NULL) AS betas, pg_catalog.bool_or(d.ci_low IS NOT NULL) AS intervals,
               pg_catalog.min(d.inference) AS inference, pg_catalog.min(d.status) AS model_status
          FROM d),
    s AS (
        SELECT CASE
               WHEN $1 IS NULL THEN 'pending'
               WHEN NOT coalesce(cell.betas, false) AND cell.model_status LIKE '%collinear%' THEN 'collinear'
               WHEN NOT coalesce(cell.betas, false) THEN 'undefined'
               WHEN $4 < @extschema@.saturation_floor(pg_catalog.cardinality($3)) THEN 'saturated'
               WHEN cell.inference LIKE 'withheld%' THEN 'withheld'
               WHEN NOT coalesce(cell.intervals, false) THEN 'no_inference'
               WHEN cell.model_status ~ 'few.clusters' THEN 'few_clusters'
               ELSE 'ok' END AS code,
               cell.*
          FROM cell)
    SELECT d.ordinal, d.outcome, d.driver,
           CASE WHEN f.betas THEN d.beta END,
           CASE WHEN f.inference THEN d.beta_se END,
           CASE WHEN f.inference THEN d.ci_low END,
           CASE WHEN f.inference THEN d.ci_high END,
           CASE WHEN f.inference THEN d.p_value END,
           CASE WHEN f.betas THEN d.relative_weight END,
           CASE WHEN f.betas THEN d.relative_weight_share END,
           CASE WHEN f.betas THEN d.lmg END,
           CASE WHEN f.betas THEN d.lmg_share END,
           CASE WHEN f.betas THEN d.rank END,
           CASE WHEN f.betas THEN d.r2 END,
           CASE WHEN f.betas THEN d.adj_r2 END,
           d.clusters::integer, d.df,
           CASE WHEN f.inference THEN d.inference END,
           f.betas, f.inference, s.code,
           CASE s.code
           WHEN 'ok' THEN NULL
           WHEN 'pending' THEN d.status
           WHEN 'saturated' THEN pg_catalog.format('%s members for %s drivers: point estimates need at least %s (two per coefficient)',
                                                   $4, pg_catalog.cardinality($3), @extschema@.saturation_floor(pg_catalog.cardinality($3)))
           WHEN 'withheld' THEN s.inference
           WHEN 'no_inference' THEN CASE WHEN s.model_status = 'ok' THEN s.inference ELSE s.model_status END
           ELSE s.model_status END
      FROM d, s,
           LATERAL (SELECT s.code IN ('ok', 'few_clusters', 'withheld', 'no_inference') AS betas,
                           s.code IN ('ok', 'few_clusters') AS inference) f
     ORDER BY d.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.driver_rows(@extschema@.driver_model, name, text[], bigint) IS
    'The rows of one cell of a drivers results table: exlink.driver_results classified with one status code (ok, few_clusters, withheld, no_inference, saturated, collinear, undefined, pending), has_betas and inference_shown, the explanation in status_detail, no figure where there is no estimate, integer counts.';

-- The rows of one cell of a drivers results table published with bootstrap draws: driver_rows'
-- columns, then the 95% cluster-bootstrap percentile intervals of the relative-weight and LMG
-- shares (exlink.driver_weights with draws: the cell's members resampled).  They are inference:
-- shown where driver_rows shows the betas' interval (inference_shown), withheld with it
-- (exlink.withhold_inference clears them in the stored model too).
CREATE FUNCTION @extschema@.driver_bootstrap_rows(model @extschema@.driver_model, outcome name, names text[], members bigint)
RETURNS TABLE (ordinal integer, outcome text, driver text, beta float8, beta_se float8, ci_low float8, ci_high float8,
               p_value float8, relative_weight float8, relative_weight_share float8, lmg float8, lmg_share float8,
               rank integer, r2 float8, adj_r2 float8, clusters integer, df float8, inference text,
               has_betas boolean, inference_shown boolean, status text, status_detail text,
               relative_weight_share_low float8, relative_weight_share_high float8,
               lmg_share_low float8, lmg_share_high float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT r.ordinal, r.outcome, r.driver, r.beta, r.beta_se, r.ci_low, r.ci_high, r.p_value,
           r.relative_weight, r.relative_weight_share, r.lmg, r.lmg_share, r.rank, r.r2, r.adj_r2,
           r.clusters, r.df, r.inference, r.has_betas, r.inference_shown, r.status, r.status_detail,
           CASE WHEN r.inference_shown THEN d.relative_weight_share_low END,
           CASE WHEN r.inference_shown THEN d.relative_weight_share_high END,
           CASE WHEN r.inference_shown THEN d.lmg_share_low END,
           CASE WHEN r.inference_shown THEN d.lmg_share_high END
      FROM @extschema@.driver_rows($1, $2, $3, $4) AS r
      LEFT JOIN pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, df, b, b_se, b_ci_low, b_ci_high,
                relative_weight_share_low, relative_weight_share_high, lmg_share_low, lmg_share_high, ordinal)
           ON d.ordinal = r.ordinal
     ORDER BY r.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.driver_bootstrap_rows(@extschema@.driver_model, name, text[], bigint) IS
    'The rows of one cell of a drivers results table with bootstrap draws: exlink.driver_rows, then the 95% cluster-bootstrap percentile intervals of the relative-weight and LMG shares (NULL where inference_shown is false).';

-- The rows of one cell of a correlations results table (0.3.0 columns).  A correlation is one
-- figure per driver, so its status is per row; no saturation rule (one coefficient, and cells
-- have at least k members).
CREATE FUNCTION @extschema@.correlation_rows(correlations @extschema@.correlation[], outcome name, names text[], members bigint)
RETURNS TABLE (ordinal integer, outcome text, driver text, r float8, ci_low float8, ci_high float8, p_value float8,
               clusters integer, df float8, inference text, has_r boolean, inference_shown boolean,
               status text, status_detail text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT c.ordinal, c.outcome, c.driver, c.r,
           CASE WHEN f.inference THEN c.ci_low END,
           CASE WHEN f.inference THEN c.ci_high END,
           CASE WHEN f.inference THEN c.p_value END,
           c.clusters::integer, c.df,
           CASE WHEN f.inference THEN c.inference END,
           c.r IS NOT NULL, f.inference, s.code,
           CASE s.code WHEN 'ok' THEN NULL WHEN 'withheld' THEN c.inference ELSE c.status END
      FROM @extschema@.correlation_results($1, $2, $3, $4) c,
           LATERAL (SELECT CASE
                           WHEN $1 IS NULL THEN 'pending'
                           WHEN c.r IS NULL THEN 'undefined'
                           WHEN c.inference LIKE 'withheld%' THEN 'withheld'
                           WHEN c.ci_low IS NULL OR c.p_value IS NULL THEN 'no_inference'
                           WHEN c.status ~ 'few.clusters' THEN 'few_clusters'
                           ELSE 'ok' END AS code) s,
           LATERAL (SELECT s.code IN ('ok', 'few_clusters') AS inference) f
     ORDER BY c.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.correlation_rows(@extschema@.correlation[], name, text[], bigint) IS
    'The rows of one cell of a correlations results table: exlink.correlation_results classified with one status code per row (ok, few_clusters, withheld, no_inference, undefined, pending), has_r and inference_shown, the explanation in status_detail, integer counts.';

-- Multiplicity: Benjamini-Hochberg adjusted p-values beside the raw ones.  A results table
-- publishes hundreds of p-values (every cell, level and driver), and a dashboard reads them
-- together, so the family is the whole table as released at once: all the p-values of a
-- snapshot results table (every level, cell and driver of the current release), of one sealed
-- period of a period results table, or of one window of a window results view.  Not per cell: a
-- reader scanning a dashboard for "significant" cells compares cells, and a per-cell family of
-- one to fifteen p-values would leave that scan uncontrolled.  The step-up rule is R's
-- p.adjust(method = "BH"): with m p-values of the family and i the rank of p (ascending),
-- p_adjusted = min(1, min over p' >= p of m / i' * p'), computed in the same order of floating
-- operations (m / i, then times p); ties get one value, as in R.  Rows without a p-value (not
-- shown, withheld) are not in the family.  BH controls the false discovery rate under
-- independence and positive regression dependence; the cells of a roll-up overlap (a team is in
-- its region), which is positive dependence.  wrap the SELECT query (whose rows have a column
-- p_value) in one that adds the column p_adjusted at the end; family: the columns of the
-- family (none: the whole query); ordering: an ORDER BY list over the query's columns, or NULL.
CREATE FUNCTION @extschema@.with_p_adjusted(query text, family name[], ordering name[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT pg_catalog.format(
        'SELECT (b.exlink_row).*, CASE WHEN (b.exlink_row).p_value IS NOT NULL THEN LEAST(1::float8, '
        'pg_catalog.min(b.exlink_m::float8 / b.exlink_i::float8 * (b.exlink_row).p_value) OVER (PARTITION BY %1$s(b.exlink_row).p_value IS NULL '
        'ORDER BY (b.exlink_row).p_value DESC)) END AS p_adjusted '
        'FROM (SELECT exlink_r AS exlink_row, pg_catalog.count(exlink_r.p_value) OVER (%2$s) AS exlink_m, '
        'pg_catalog.row_number() OVER (PARTITION BY %3$sexlink_r.p_value IS NULL ORDER BY exlink_r.p_value) AS exlink_i FROM (%4$s) AS exlink_r) AS b%5$s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('(b.exlink_row).%I, ', f), '' ORDER BY o) FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(f, o)),
        CASE WHEN pg_catalog.cardinality($2) > 0 THEN
            'PARTITION BY ' || (SELECT pg_catalog.string_agg(pg_catalog.format('exlink_r.%I', f), ', ' ORDER BY o) FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(f, o))
        ELSE '' END,
        (SELECT pg_catalog.string_agg(pg_catalog.format('exlink_r.%I, ', f), '' ORDER BY o) FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(f, o)),
        $1,
        CASE WHEN pg_catalog.cardinality($3) > 0 THEN
            ' ORDER BY ' || (SELECT pg_catalog.string_agg(pg_catalog.format('(b.exlink_row).%I%s', f, CASE WHEN f = 'cell' THEN ' COLLATE "C"' ELSE '' END), ', ' ORDER BY o)
                               FROM pg_catalog.unnest($3) WITH ORDINALITY AS u(f, o))
        ELSE '' END)
$fn$;
COMMENT ON FUNCTION @extschema@.with_p_adjusted(text, name[], name[]) IS
    'Used by the results tables: the SELECT query (with a column p_value) wrapped to add p_adjusted, the Benjamini-Hochberg adjusted p-value (as R''s p.adjust(method = "BH")) over each family (the rows with equal family columns; all rows without), in the given order.';

-- The definition of a results table: per shown cell of its publication, the dimensions (typed),
-- level, cell, responses and members (exact distinct members of the cell, as integers: BI drivers
-- read bigint as text), then the results classified for BI (exlink.driver_rows,
-- exlink.correlation_rows above).  Results tables published by exlink 0.2.0 keep their
-- definition (exlink.driver_results, exlink.correlation_results) until published again.
CREATE FUNCTION @extschema@.results_query(result_key text, publication regclass, statistic text, outcome name, drivers name[],
                                          bootstrap integer DEFAULT 0)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
BEGIN
    SELECT pub.source, pub.dimensions, pub.release_key INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND OR p.release_key IS NULL THEN
        RAISE EXCEPTION '% is not a materialized exlink publication released by exlink.refresh', publication USING ERRCODE = '22023';
    END IF;
    IF statistic IS NULL OR statistic NOT IN ('drivers', 'correlations', 'driver_map') THEN
        RAISE EXCEPTION 'statistic must be ''drivers'', ''correlations'' or ''driver_map''' USING ERRCODE = '22023';
    END IF;
    RETURN @extschema@.with_p_adjusted(pg_catalog.format(
        'SELECT %s, f.level, f.cell, f.responses::integer AS responses, f.members::integer AS members, x.* FROM (SELECT %s, r.results FROM @extschema@.released_cells AS r WHERE r.release_key = %L AND r.shown) AS f CROSS JOIN LATERAL @extschema@.%s((f.results OPERATOR(pg_catalog.->>) %L)::%s, %L::name, %L::text[], f.members%s) AS x',
        (SELECT pg_catalog.string_agg(pg_catalog.format('f.%I', u.d), ', ' ORDER BY u.o) FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, o)),
        @extschema@.typed_figures(p.source, p.dimensions, '{}'),
        p.release_key,
        CASE statistic WHEN 'drivers' THEN CASE WHEN bootstrap > 0 THEN 'driver_bootstrap_rows' ELSE 'driver_rows' END
                       WHEN 'driver_map' THEN 'driver_map_rows' ELSE 'correlation_rows' END,
        result_key,
        CASE WHEN statistic IN ('drivers', 'driver_map') THEN '@extschema@.driver_model' ELSE '@extschema@.correlation[]' END,
        outcome, drivers::text[],
        -- a map's shares favourable (exlink.results_select; NULL without a cut: the means)
        CASE WHEN statistic = 'driver_map' THEN pg_catalog.format(', (f.results OPERATOR(pg_catalog.->>) %L)::float8[]', result_key || '/favourable') ELSE '' END),
        '{}', '{level,cell,ordinal}');
END
$fn$;
COMMENT ON FUNCTION @extschema@.results_query(text, regclass, text, name, name[], integer) IS
    'The SELECT of a results table: per shown cell of its publication, the cell''s columns (dimensions, level, cell, responses and members as integers) and its released results (key result_key) classified by exlink.driver_rows (exlink.driver_bootstrap_rows for a drivers table with bootstrap draws), exlink.correlation_rows or exlink.driver_map_rows, one row per driver.';

-- Coverage: which units a dashboard should draw as "suppressed".  A publication has no row for a
-- suppressed cell, so a dashboard draws nothing where it expects a team.  A coverage view lists,
-- per level of the publication, every unit of a list the custodian declares public (an org chart:
-- regions and teams) crossed with the values of the other dimensions that the publication shows
-- (periods), and marks each 'ok' (shown: its cell key and members) or 'suppressed' (no figures).
-- Why it discloses nothing: its rows are a function of the declared list, which the custodian
-- makes public to the grantees by publishing it, and of the set of shown cells, which the
-- grantees read in the publication anyway (grantees must be able to read the publication).  A
-- listed unit with no rows and one with fewer than k members look the same: 'suppressed', no
-- count, so nothing is left to subtract.  The list is read once, at publish, and written into
-- the view (so the view reads only the publication: exlink.audit_view finds it guarded, and a
-- later change of the list table cannot change what was declared); publish again when it
-- changes.  A list derived from the linked rows would disclose which cells have rows: the
-- publication's source is refused, and docs/bi-and-scheduling.md says so.
CREATE FUNCTION @extschema@.publish_coverage(coverage text, publication regclass, units regclass, grant_to name[] DEFAULT '{}')
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    parts text[];
    target text;
    owner oid;
    ucols name[];
    typ text[];
    nd integer;
    lv integer;
    n_units bigint;
    vals text;
    cand text[] := '{}';
    sel text[];
    joins text;
    q text;
    obj regclass;
    r name;
    per boolean;
BEGIN
    IF coverage IS NULL OR publication IS NULL OR units IS NULL OR grant_to IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_coverage arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = publication;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;
    IF units = p.source THEN
        RAISE EXCEPTION 'the list of units cannot be the publication''s source' USING ERRCODE = '42501',
            DETAIL = 'Units listed from the linked rows would disclose which cells have rows (fewer than k, or none).',
            HINT = 'Declare a table of the units whose existence is public (an org chart).';
    END IF;
    IF NOT pg_catalog.has_table_privilege(units, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', units USING ERRCODE = '42501';
    END IF;
    nd := pg_catalog.cardinality(p.dimensions);
    -- A period publication: every unit per period it shows (its sealed periods with cells).
    per := p.kind = 'periods';
    SELECT pg_catalog.array_agg(d ORDER BY o) INTO ucols
      FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, o)
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = units AND a.attname = u.d AND a.attnum > 0 AND NOT a.attisdropped);
    IF ucols IS NULL THEN
        RAISE EXCEPTION 'the list of units has no column named as a dimension of %', publication USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('Its dimensions are %s.', pg_catalog.array_to_string(p.dimensions, ', '));
    END IF;
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
        IF NOT pg_catalog.has_table_privilege(r, publication, 'SELECT') THEN
            RAISE EXCEPTION 'role % cannot read publication %', pg_catalog.quote_ident(r), publication USING ERRCODE = '42501',
                DETAIL = 'A coverage view tells which cells are shown: only readers of the publication may have it.';
        END IF;
    END LOOP;
    parts := @extschema@.schema_qualified_name(coverage, 'coverage view');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
    -- The publication's types of the listed columns, so the view's columns have them.
    SELECT pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY u.o) INTO typ
      FROM pg_catalog.unnest(ucols) WITH ORDINALITY AS u(d, o)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = publication AND a.attname = u.d;
    -- The declared list, as literals (units with a NULL in a listed column are not units).
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*), pg_catalog.string_agg(pg_catalog.format(%L, %s), %L ORDER BY %s) FROM (SELECT DISTINCT %s FROM %s WHERE %s) AS t',
        '(' || (SELECT pg_catalog.string_agg(pg_catalog.format('%%L::%s', t), ', ' ORDER BY o) FROM pg_catalog.unnest(typ) WITH ORDINALITY AS x(t, o)) || ')',
        (SELECT pg_catalog.string_agg(pg_catalog.format('t.%I::text', d), ', ' ORDER BY o) FROM pg_catalog.unnest(ucols) WITH ORDINALITY AS x(d, o)),
        ', ',
        (SELECT pg_catalog.string_agg(pg_catalog.format('t.%I', d), ', ' ORDER BY o) FROM pg_catalog.unnest(ucols) WITH ORDINALITY AS x(d, o)),
        (SELECT pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o) FROM pg_catalog.unnest(ucols) WITH ORDINALITY AS x(d, o)),
        units,
        (SELECT pg_catalog.string_agg(pg_catalog.format('%I IS NOT NULL', d), ' AND ') FROM pg_catalog.unnest(ucols) AS x(d)))
      INTO n_units, vals;
    IF n_units = 0 THEN
        RAISE EXCEPTION 'the list of units is empty' USING ERRCODE = '22023';
    END IF;
    IF n_units > 100000 THEN
        RAISE EXCEPTION 'at most 100,000 units' USING ERRCODE = '54000',
            DETAIL = 'The list is written into the view''s definition.';
    END IF;
    -- Candidates per level (the first lv dimensions, as the publication's levels): the listed
    -- columns from the list, each other dimension from the values the publication shows.
    FOR lv IN SELECT g FROM pg_catalog.generate_series(CASE WHEN p.rollup THEN 0 ELSE nd END, nd) AS g LOOP
        sel := ARRAY(SELECT CASE WHEN u.o > lv THEN pg_catalog.format('NULL::%s AS %I', pg_catalog.format_type(a.atttypid, a.atttypmod), u.d)
                                 WHEN u.d = ANY (ucols) THEN pg_catalog.format('l.%I', u.d)
                                 ELSE pg_catalog.format('v%s.%I', u.o, u.d) END
                       FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, o)
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = publication AND a.attname = u.d
                      ORDER BY u.o);
        joins := (SELECT pg_catalog.string_agg(pg_catalog.format(' CROSS JOIN (SELECT DISTINCT s.%I FROM %s AS s WHERE s.%I IS NOT NULL) AS v%s', u.d, publication, u.d, u.o), '' ORDER BY u.o)
                    FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, o)
                   WHERE u.o <= lv AND NOT u.d = ANY (ucols));
        IF per THEN
            sel := 'v0.period'::text || sel;
            joins := pg_catalog.format(' CROSS JOIN (SELECT DISTINCT s.period FROM %s AS s) AS v0', publication) || coalesce(joins, '');
        END IF;
        cand := cand || pg_catalog.format('SELECT DISTINCT %s, %s AS level FROM listed AS l%s', pg_catalog.array_to_string(sel, ', '), lv, coalesce(joins, ''));
    END LOOP;
    q := pg_catalog.format(
        'WITH listed (%s) AS (VALUES %s), candidates AS (%s UNION SELECT %s, s.level FROM %s AS s) '
        'SELECT %s, c.level, s.cell, CASE WHEN s.cell IS NULL THEN %L ELSE %L END AS status, s.cell IS NOT NULL AS shown, '
        's.members::integer AS members FROM candidates AS c LEFT JOIN %s AS s ON s.level = c.level AND %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o) FROM pg_catalog.unnest(ucols) WITH ORDINALITY AS x(d, o)),
        vals,
        pg_catalog.array_to_string(cand, ' UNION '),
        CASE WHEN per THEN 's.period, ' ELSE '' END
        || (SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o) FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS x(d, o)),
        publication,
        CASE WHEN per THEN 'c.period, ' ELSE '' END
        || (SELECT pg_catalog.string_agg(pg_catalog.format('c.%I', d), ', ' ORDER BY o) FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS x(d, o)),
        'suppressed', 'ok',
        publication,
        CASE WHEN per THEN 's.period = c.period AND ' ELSE '' END
        || (SELECT pg_catalog.string_agg(pg_catalog.format('s.%I IS NOT DISTINCT FROM c.%I', d, d), ' AND ' ORDER BY o) FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS x(d, o)));
    EXECUTE pg_catalog.format('CREATE VIEW %s AS %s', target, q);
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', target,
        pg_catalog.format('exlink coverage of %s: per level, every unit of the declared list (%s, from %s at publish) crossed with the shown values of the other dimensions, status ok (shown) or suppressed (no figures)',
                          publication, pg_catalog.array_to_string(ucols, ', '), units));
    PERFORM @extschema@.comment_columns(obj, publication, 'coverage');
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_coverage(text, regclass, regclass, name[]) IS
    'Custodian (publication owner) only: a view listing, per level of the publication, every unit of a declared list (whose existence is public) crossed with the shown values of the other dimensions, with status ok (its cell and members) or suppressed (no figures), so that dashboards draw suppressed cells; grantees must read the publication.';
REVOKE ALL ON FUNCTION @extschema@.publish_coverage(text, regclass, regclass, name[]) FROM PUBLIC;

-- Results over windows of sealed periods (exlink.publish_window's views): the key drivers or
-- correlations of each cell's figures merged over the window, as a view over the window view
-- (it reads only released cells, so it releases nothing new).  The point estimates are those of
-- the merged moments: exact for the rows the window's released cells hold (a cell hidden in one of
-- the window's periods is missing from the merge: periods says how many it has).  Intervals and
-- p only where the cells carry cluster summaries (exlink.cluster_summary at seal), clustered by
-- employee; without them a merge could only give intervals for independent rows, too narrow on
-- linked data, so none are shown (no_inference).  The saturation and withheld rules count
-- members_at_least, the largest period's members: a lower bound, so the rules err on the safe side.
CREATE FUNCTION @extschema@.window_model(m @extschema@.moments, o integer, idx integer[], names text[])
RETURNS @extschema@.driver_model
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT CASE WHEN (d).inference LIKE 'cluster%' THEN d
                ELSE (@extschema@.withhold_inference(pg_catalog.jsonb_build_object('m', d::text),
                                                     'no clustered inference: the cells carry no cluster summaries') OPERATOR(pg_catalog.->>) 'm')::@extschema@.driver_model END
      FROM (SELECT @extschema@.driver_weights(@extschema@.subset($1, ARRAY[$2] || $3), $4) AS d) AS x
$fn$;
COMMENT ON FUNCTION @extschema@.window_model(@extschema@.moments, integer, integer[], text[]) IS
    'The key-driver model of variable o on variables idx of a merged moments value (a window''s cell), with its inference removed unless clustered.';

CREATE FUNCTION @extschema@.window_correlations(m @extschema@.moments, o integer, idx integer[])
RETURNS @extschema@.correlation[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT ARRAY(SELECT CASE WHEN (c).inference LIKE 'cluster%' THEN c
                             ELSE ((@extschema@.withhold_inference(pg_catalog.jsonb_build_object('c', ARRAY[c]::text),
                                        'no clustered inference: the cells carry no cluster summaries') OPERATOR(pg_catalog.->>) 'c')::@extschema@.correlation[])[1] END
                   FROM pg_catalog.unnest($3) WITH ORDINALITY AS u(i, n),
                        LATERAL (SELECT @extschema@.linked_correlation($1, $2, u.i) AS c) AS x
                  ORDER BY u.n)
$fn$;
COMMENT ON FUNCTION @extschema@.window_correlations(@extschema@.moments, integer, integer[]) IS
    'The correlations of variable o with each of variables idx of a merged moments value (a window''s cell), with their inference removed unless clustered.';

CREATE FUNCTION @extschema@.publish_window_results(
    results text,
    windows regclass,
    outcome name,
    drivers name[],
    statistic text DEFAULT 'drivers',
    grant_to name[] DEFAULT '{}')
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    owner oid;
    parts text[];
    target text;
    o integer;
    idx integer[];
    nq integer := coalesce(pg_catalog.array_length(drivers, 1), 0);
    q text;
    obj regclass;
    r name;
BEGIN
    IF results IS NULL OR windows IS NULL OR outcome IS NULL OR drivers IS NULL OR statistic IS NULL OR grant_to IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_window_results arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    IF statistic NOT IN ('drivers', 'correlations', 'driver_map') THEN
        RAISE EXCEPTION 'statistic must be ''drivers'', ''correlations'' or ''driver_map''' USING ERRCODE = '22023';
    END IF;
    -- The window view's publication: the one period publication its definition reads.
    SELECT pub.* INTO p
      FROM @extschema@.publications pub
     WHERE pub.kind = 'periods'
       AND pub.object IN (SELECT d.refobjid FROM pg_catalog.pg_rewrite rw
                            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = rw.oid
                                                       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                           WHERE rw.ev_class = windows);
    IF NOT FOUND OR (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = windows AND a.attnum > 0 AND NOT a.attisdropped
                        AND a.attname IN ('window_start', 'window_end', 'level', 'cell', 'periods', 'responses', 'members_at_least', 'moments')) <> 8 THEN
        RAISE EXCEPTION '% is not a window view made by exlink.publish_window', windows USING ERRCODE = '22023';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = windows;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of %', windows USING ERRCODE = '42501';
    END IF;
    IF nq = 0 OR nq > 15 THEN
        RAISE EXCEPTION 'between 1 and 15 drivers' USING ERRCODE = CASE WHEN nq = 0 THEN '22023' ELSE '54000' END;
    END IF;
    IF NOT (ARRAY[outcome] || drivers) <@ p.measures
       OR (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(ARRAY[outcome] || drivers) c) <> nq + 1 THEN
        RAISE EXCEPTION 'outcome and drivers must be distinct measures of publication %', p.object USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It publishes %s.', pg_catalog.array_to_string(p.measures, ', '));
    END IF;
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
        IF NOT pg_catalog.has_table_privilege(r, windows, 'SELECT') THEN
            RAISE EXCEPTION 'role % cannot read %', pg_catalog.quote_ident(r), windows USING ERRCODE = '42501';
        END IF;
    END LOOP;
    parts := @extschema@.schema_qualified_name(results, 'results view');
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
    o := pg_catalog.array_position(p.measures, outcome);
    idx := ARRAY(SELECT pg_catalog.array_position(p.measures, d) FROM pg_catalog.unnest(drivers) WITH ORDINALITY AS u(d, i) ORDER BY u.i);
    q := pg_catalog.format(
        'SELECT w.window_start, w.window_end, %s w.level, w.cell, w.periods::integer AS periods, w.responses::integer AS responses, '
        'w.members_at_least::integer AS members_at_least, x.* FROM %s AS w CROSS JOIN LATERAL %s AS x',
        (SELECT coalesce(pg_catalog.string_agg(pg_catalog.format('w.%I, ', d), '' ORDER BY n), '') FROM pg_catalog.unnest(p.dimensions) WITH ORDINALITY AS u(d, n)),
        windows,
        CASE statistic
        WHEN 'drivers' THEN pg_catalog.format('@extschema@.driver_rows(@extschema@.window_model(w.moments, %s, %L::integer[], %L::text[]), %L::name, %L::text[], w.members_at_least)',
                                              o, idx, drivers::text[], outcome, drivers::text[])
        -- the key driver map of the merged model (70_driver_map.sql): performance the drivers'
        -- means over the window (a share favourable needs the rows, which merged moments lack)
        WHEN 'driver_map' THEN pg_catalog.format('@extschema@.driver_map_rows(@extschema@.window_model(w.moments, %s, %L::integer[], %L::text[]), %L::name, %L::text[], w.members_at_least)',
                                                 o, idx, drivers::text[], outcome, drivers::text[])
        ELSE pg_catalog.format('@extschema@.correlation_rows(@extschema@.window_correlations(w.moments, %s, %L::integer[]), %L::name, %L::text[], w.members_at_least)',
                               o, idx, outcome, drivers::text[]) END);
    EXECUTE pg_catalog.format('CREATE VIEW %s AS %s', target,
                              @extschema@.with_p_adjusted(q, '{window_start,window_end}', NULL));
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', target,
        pg_catalog.format('exlink results (%s) over the windows of %s: %s on %s, from each cell''s figures merged over the window', statistic, windows, outcome,
                          pg_catalog.array_to_string(drivers, ', ')));
    PERFORM @extschema@.comment_columns(obj, p.object, statistic);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_window_results(text, regclass, name, name[], text, name[]) IS
    'Owner of a window view (exlink.publish_window) only: a view of the key drivers (statistic drivers), correlations or key driver map (driver_map: importance, mean performance, quadrant, gain) of each cell merged over each window, as results tables have them per cell (status codes, no figure without an estimate), intervals only from cluster summaries; grantees must read the window view.';
REVOKE ALL ON FUNCTION @extschema@.publish_window_results(text, regclass, name, name[], text, name[]) FROM PUBLIC;

-- Self-describing objects: a comment on every column of a publication, results table, window or
-- coverage view, written when it is published (\d+ and BI tools' schema browsers show them;
-- pg_description is readable by every role).  statistic: 'cells' (the publication itself),
-- 'window' (a window view), 'drivers', 'correlations', 'driver_map' or 'coverage'.  The caller
-- must own object (COMMENT's rule).
CREATE FUNCTION @extschema@.comment_columns(object regclass, publication regclass, statistic text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    a record;
    nd integer;
    note text;
    vars text;
    interval_of text := CASE statistic WHEN 'correlations' THEN 'r (Fisher z, variance clustered by employee)'
                                       ELSE 'beta, clustered by employee' END;
BEGIN
    IF statistic IS NULL OR statistic NOT IN ('cells', 'window', 'drivers', 'correlations', 'coverage', 'driver_map') THEN
        RAISE EXCEPTION 'statistic must be cells, window, drivers, correlations, driver_map or coverage' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    nd := pg_catalog.cardinality(p.dimensions);
    vars := (SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', o, m), ', ' ORDER BY o)
               FROM pg_catalog.unnest(p.measures) WITH ORDINALITY AS u(m, o));
    FOR a IN SELECT att.attname FROM pg_catalog.pg_attribute att
              WHERE att.attrelid = object AND att.attnum > 0 AND NOT att.attisdropped ORDER BY att.attnum LOOP
        note := CASE
        WHEN a.attname = 'period' AND p.kind = 'periods' THEN
            pg_catalog.format('The sealed period of the row (%s): its figures were computed once, from that period''s rows, when it was sealed, and never change.', p.period)
        WHEN a.attname = ANY (p.dimensions) THEN
            pg_catalog.format('Dimension %s of the cell%s.', a.attname,
                              CASE WHEN p.rollup THEN ' (NULL on a subtotal row that does not group by it: see level)' ELSE '' END)
        WHEN a.attname = 'level' THEN
            pg_catalog.format('How many of the dimensions (%s) the row groups by: %s = a cell of the finest grain%s. Filter on it: rows of different levels overlap.',
                              pg_catalog.array_to_string(p.dimensions, ', '), nd,
                              CASE WHEN p.rollup THEN ', fewer = a subtotal along the roll-up, 0 = the grand total' ELSE '' END)
        WHEN a.attname = 'cell' THEN
            CASE WHEN statistic = 'coverage' THEN 'The cell''s key in the publication (join key to it and its results tables); NULL when suppressed.'
                 WHEN statistic = 'window' THEN 'Key of the cell (its level and dimension values), the same in every period: join key to the publication and to the window''s results views.'
                 WHEN p.kind = 'periods' THEN 'Key of the cell within its period (its level and dimension values); with period, the join key between the publication, its results tables and coverage views.'
                 ELSE 'Unique key of the cell (its level and dimension values); join key between the publication, its results tables and coverage views.' END
        WHEN a.attname = 'responses' THEN CASE WHEN statistic = 'window' THEN 'Rows (responses) of the cell over the window''s periods in which it was released.'
                                               ELSE 'Rows (responses) of the cell.' END
        WHEN a.attname = 'window_start' THEN 'First period of the window.'
        WHEN a.attname = 'window_end' THEN 'Last period of the window.'
        WHEN a.attname = 'periods' THEN 'In how many of the window''s periods the cell was released (the others are missing from the merge).'
        WHEN a.attname = 'members_at_least' THEN 'Distinct employees of the cell over the window: at least this many (the largest period''s count; employees recur across periods).'
        WHEN a.attname = 'members' THEN
            pg_catalog.format('Distinct employees of the cell: exact, at least k = %s%s. Not additive: an employee in several cells counts in each (a merged headcount is only a lower bound, members_at_least).',
                              p.k, CASE WHEN statistic = 'coverage' THEN '; NULL when suppressed' ELSE '' END)
        WHEN a.attname = 'moments' THEN
            pg_catalog.format('exlink''s mergeable state of the cell%s, for exlink functions (exlink.merge, exlink.linked_correlation, exlink.driver_weights), not for BI tools. Its variables, numbered as exlink.subset and exlink.linked_correlation count them: %s.',
                              CASE WHEN statistic = 'window' THEN ' merged over the window''s periods in which it was released' ELSE '' END, vars)
        WHEN statistic IN ('cells', 'window') AND a.attname LIKE 'mean\_%' AND pg_catalog.substr(a.attname, 6) = ANY (p.measures) THEN
            pg_catalog.format('Mean of %s over the cell''s rows%s.', pg_catalog.substr(a.attname, 6),
                              CASE WHEN statistic = 'window' THEN ' in the window''s periods in which it was released' ELSE '' END)
        WHEN statistic = 'coverage' AND a.attname = 'status' THEN
            'ok: the cell is published (members, cell); suppressed: it is not (fewer than k employees, hidden to protect another cell, or no data: deliberately not told apart).'
        WHEN statistic = 'coverage' AND a.attname = 'shown' THEN 'True where the cell is published (status ok).'
        WHEN statistic = 'driver_map' AND a.attname IN ('importance', 'performance', 'importance_cut', 'performance_cut',
                                                         'quadrant', 'gain', 'gain_low', 'gain_high') THEN
            CASE a.attname
            WHEN 'importance' THEN 'Importance of the driver: its LMG share of R² (%). NULL where has_betas is false.'
            WHEN 'performance' THEN coalesce(
                (SELECT pg_catalog.format('Performance of the driver: its share favourable, the share of the cell''s rows with the driver at or above %s (0 to 1). NULL where has_betas is false.', rt.favourable)
                   FROM @extschema@.result_tables rt WHERE rt.object = comment_columns.object AND rt.favourable IS NOT NULL),
                'Performance of the driver: its mean over the cell''s rows (in the driver''s units). NULL where has_betas is false.')
            WHEN 'importance_cut' THEN 'The cell''s importance cut-off: the median importance of its drivers.'
            WHEN 'performance_cut' THEN 'The cell''s performance cut-off: the median performance of its drivers (comparable when the drivers share a scale).'
            WHEN 'quadrant' THEN 'fix first (importance >= cut, performance < cut), keep (both >= cut), monitor (both < cut) or do not over-invest (importance < cut, performance >= cut).'
            WHEN 'gain' THEN 'Change in the outcome (its units) for one unit more of the driver, the other drivers held fixed (the raw slope). NULL where has_betas is false.'
            WHEN 'gain_low' THEN 'Lower end of the 95% interval of gain, clustered by employee. NULL where inference_shown is false.'
            WHEN 'gain_high' THEN 'Upper end of the 95% interval of gain, clustered by employee. NULL where inference_shown is false.'
            END
        WHEN statistic IN ('drivers', 'correlations', 'driver_map') THEN
            CASE a.attname
            WHEN 'ordinal' THEN 'Position of the driver in the results table''s list of drivers (1-based).'
            WHEN 'outcome' THEN 'The outcome (a CX measure).'
            WHEN 'driver' THEN 'The driver (an EX measure).'
            WHEN 'beta' THEN 'Standardized regression coefficient of the driver (SDs of the outcome per SD of the driver, the other drivers held fixed). NULL where has_betas is false.'
            WHEN 'beta_se' THEN 'Standard error of beta, clustered by employee. NULL where inference_shown is false.'
            WHEN 'ci_low' THEN pg_catalog.format('Lower end of the 95%% confidence interval of %s. NULL where inference_shown is false.', interval_of)
            WHEN 'ci_high' THEN pg_catalog.format('Upper end of the 95%% confidence interval of %s. NULL where inference_shown is false.', interval_of)
            WHEN 'p_value' THEN 'Two-sided p-value (null hypothesis: no association), clustered by employee. NULL where inference_shown is false.'
            WHEN 'p_adjusted' THEN pg_catalog.format('p_value adjusted for multiplicity (Benjamini-Hochberg, as R''s p.adjust(method = "BH")) over the family of %s: the false discovery rate among rows with p_adjusted < q is at most q. NULL where p_value is NULL (not in the family).',
                CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute w WHERE w.attrelid = object AND w.attname = 'window_start' AND NOT w.attisdropped)
                     THEN 'all p-values of the row''s window (every level, cell and driver of that window)'
                     WHEN p.kind = 'periods' THEN 'all p-values of the row''s sealed period in this results table (every level, cell and driver of that period)'
                     ELSE 'all p-values of this results table (every level, cell and driver of the current release)' END)
            WHEN 'relative_weight' THEN 'Johnson''s relative weight of the driver: its part of R².'
            WHEN 'relative_weight_share' THEN 'Relative weight as a percentage of R² (the drivers'' shares add up to 100).'
            WHEN 'lmg' THEN 'Shapley (LMG) value of the driver: its average contribution to R² over all orders of entry.'
            WHEN 'lmg_share' THEN 'LMG value as a percentage of R² (the drivers'' shares add up to 100): the importance to chart.'
            WHEN 'relative_weight_share_low' THEN 'Lower end of the 95% cluster-bootstrap percentile interval of relative_weight_share (employees resampled; seeded, see exlink.result_tables). NULL where inference_shown is false.'
            WHEN 'relative_weight_share_high' THEN 'Upper end of the 95% cluster-bootstrap percentile interval of relative_weight_share. NULL where inference_shown is false.'
            WHEN 'lmg_share_low' THEN 'Lower end of the 95% cluster-bootstrap percentile interval of lmg_share (employees resampled; seeded, see exlink.result_tables). NULL where inference_shown is false.'
            WHEN 'lmg_share_high' THEN 'Upper end of the 95% cluster-bootstrap percentile interval of lmg_share. NULL where inference_shown is false.'
            WHEN 'rank' THEN 'Rank of the driver by LMG share (1 = most important). NULL where has_betas is false.'
            WHEN 'r2' THEN 'R² of the model (share of the outcome''s variance the drivers explain), over the cell''s rows.'
            WHEN 'adj_r2' THEN 'Adjusted R².'
            WHEN 'r' THEN 'Pearson correlation of the outcome with the driver over the cell''s rows. NULL where has_r is false.'
            WHEN 'clusters' THEN 'Clusters of the inference: distinct employees of the cell.'
            WHEN 'df' THEN 'Degrees of freedom of the t distribution of the interval and p: Satterthwaite (a driver''s CR2 df; for a correlation the mean of its two slopes'' CR2 df), clusters - 1 under CR1.'
            WHEN 'inference' THEN 'The method of the standard error, interval and p (e.g. cluster-robust CR1); NULL where they are not shown.'
            WHEN 'has_betas' THEN 'True where the row shows its estimates (status ok, few_clusters, withheld or no_inference): filter on it.'
            WHEN 'has_r' THEN 'True where r is shown: filter on it.'
            WHEN 'inference_shown' THEN 'True where the standard error, interval and p are shown (status ok or few_clusters): filter on it.'
            WHEN 'status' THEN 'One code: ok, few_clusters (intervals may be too narrow), withheld (no inference: too few employees), no_inference, saturated (no figures: fewer than 2(q + 1) employees for q drivers), collinear, undefined, pending.'
            WHEN 'status_detail' THEN 'Why the status is not ok, in words (NULL when ok): for tooltips, not for filtering.'
            END
        END;
        IF note IS NOT NULL THEN
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', object, a.attname, note);
        END IF;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION @extschema@.comment_columns(regclass, regclass, text) IS
    'Used by publish, publish_results, publish_window, publish_window_results and publish_coverage: a comment on every column of a publication (statistic cells), window view (window), results table (drivers, correlations, driver_map) or coverage view, saying what it holds; the caller must own the object.';

