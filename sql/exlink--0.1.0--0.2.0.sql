-- exlink upgrade 0.1.0 -> 0.2.0.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Every change to an SQL object in sql/parts/ since 0.1.0 is repeated here, so that
-- ALTER EXTENSION exlink UPDATE gives the same catalog as a fresh 0.2.0 install
-- (test/shell/upgrade.sh compares them object by object).  Each object is defined once, in its
-- final 0.2.0 form (plpgsql bodies may name objects created further down: they are resolved
-- when they run).  A line "-- include: sql/parts/NAME.sql" is replaced by that part when the
-- Makefile assembles sql/exlink--0.1.0--0.2.0.sql ("or-replace": its CREATE FUNCTION become
-- CREATE OR REPLACE FUNCTION, for parts that also change functions 0.1.0 had); parts new in
-- 0.2.0, or made of functions only, are included rather than copied.  When 0.2.0 is released,
-- the assembled script is committed and frozen, as sql/exlink--0.1.0.sql is.
\echo Use "ALTER EXTENSION exlink UPDATE TO '0.2.0'" to load this file. \quit

-- ---- architecture (issue 10): one release decision, publish split into parts -------------
-- exlink.release_status (the C release policy as SQL), exlink.check_publishable (publish's
-- policy checks), exlink.suppress_cells (complementary suppression over the policy's decisions;
-- complementary_suppression now calls it), exlink.publish_query (the query builder); publish
-- uses the three; audit_view knows suppress_cells and release_status as guards.
CREATE FUNCTION @extschema@.check_publishable(source regclass, member_column name, dimensions name[], measures name[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    col name;
    why text;
    typ oid;
BEGIN
    FOREACH col IN ARRAY ARRAY[member_column] || dimensions || measures LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = source AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column % does not exist in %', pg_catalog.quote_ident(col), source
                USING ERRCODE = '42703';
        END IF;
    END LOOP;
    IF member_column = ANY (dimensions) OR member_column = ANY (measures) THEN
        RAISE EXCEPTION 'the member column cannot be published' USING ERRCODE = '42501',
            DETAIL = 'Each value of the member column identifies one member; a cell per member is a cell of one.';
    END IF;
    FOREACH col IN ARRAY dimensions || measures LOOP
        why := @extschema@.policy_violation(col);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION 'column % is protected and cannot be published', pg_catalog.quote_ident(col)
                USING ERRCODE = '42501', DETAIL = 'exlink.protected_columns: ' || why || '.',
                HINT = 'Remove the column from the publication (a custodian decides the policy).';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY measures LOOP
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a WHERE a.attrelid = source AND a.attname = col;
        IF typ NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype, 'numeric'::regtype) THEN
            RAISE EXCEPTION 'measure % must be numeric', pg_catalog.quote_ident(col) USING ERRCODE = '22023';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY dimensions || (SELECT coalesce(pg_catalog.array_agg(('mean_' || m)::name), '{}') FROM pg_catalog.unnest(measures) m) LOOP
        IF col IN ('level', 'cell', 'parent', 'responses', 'members', 'moments', 'exlink_member', 'exlink_vals') THEN
            RAISE EXCEPTION 'column name % is reserved in publications', pg_catalog.quote_ident(col) USING ERRCODE = '22023';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY measures LOOP
        IF pg_catalog.octet_length('mean_' || col) > 63 THEN
            RAISE EXCEPTION 'measure name % is too long', pg_catalog.quote_ident(col) USING ERRCODE = '54000';
        END IF;
    END LOOP;
    why := @extschema@.untrusted_code(source);
    IF why IS NOT NULL THEN
        RAISE EXCEPTION 'source % would run code of another role as %', source, CURRENT_USER
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Reading it runs %s, with your rights, now and at every refresh.', why),
            HINT = 'Publish from a relation you own (e.g. your own view over the owners'' tables), with functions you or a superuser own.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.check_publishable(regclass, name, name[], name[]) IS
    'Raise the refusal exlink.publish would give for these columns of source (missing, member column published, protected, non-numeric measure, reserved or too long name, untrusted code), or return.';

-- part: sql/parts/61_suppression.sql
-- Suppression: the release decision as SQL (release_status, the C policy of every final
-- function), and complementary suppression over the cells of a hierarchy (suppress_cells, and
-- complementary_suppression, its form with the plain k rule).

-- The one release decision (src/release_policy.c), for publish and for custodians' checks.
CREATE OR REPLACE FUNCTION @extschema@.release_status(members bigint, k integer, max_member_share float8 DEFAULT NULL, changed_members bigint DEFAULT NULL, share_limit float8 DEFAULT NULL)
RETURNS text
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'exlink_release_status';
COMMENT ON FUNCTION @extschema@.release_status(bigint, integer, float8, bigint, float8) IS
    'The release decision every exlink figure goes through: ''ok'', or ''suppressed: <reason>'' (fewer than max(k, exlink.min_group_size) distinct members; one member holding more than min(share_limit, exlink.max_member_share) of the rows; changed by 1 to k - 1 members since the last release). NULL members, share or changed members: not known; NULL share_limit: the setting.';

-- Complementary suppression over the cells of one hierarchy.  Cells are given as parallel arrays:
-- a key, the key of the parent cell (NULL at the top), the cell's exact distinct-member count, and
-- whether the release policy (exlink.release_status) releases the cell on its own.  Returns the
-- keys that may be released.  Rules, for every parent P with children C(P):
--   primary:  a cell the policy does not release (released[i] false or NULL) is suppressed;
--   P released: the suppressed children S are none, or at least two covering together at least
--     k members (lower bound: max(max |s|, |P| - sum of released children's members));
--   P suppressed: S is all of C(P), or at least two covering at least k members (so P is never
--     derivable from its children);
-- else the smallest released child (by members, then key; a child of 0 members last, since
-- suppressing it hides nothing: with exlink.refresh members are changed members) is suppressed too (or, when no child
-- is left to suppress, P), and everything is checked again until nothing changes, so the rules
-- propagate up and down the hierarchy.  A cell marked fixed is never picked as a complement
-- (its own decision still applies): exlink.refresh marks the cells whose current figures the
-- analysts already hold (shown before, unchanged since), which hiding would not protect; a
-- suppressed P whose other children are all fixed needs no more (P and its suppressed children
-- then differ by public figures: P's own protection at its level covers them).
CREATE OR REPLACE FUNCTION @extschema@.suppress_cells(cells text[], parents text[], members bigint[], released boolean[], k integer, fixed boolean[] DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer := coalesce(pg_catalog.array_length(cells, 1), 0);
    parent_idx integer[];
    supp boolean[];
    victims integer[];
    v integer;
    rounds integer := 0;
BEGIN
    IF k IS NULL OR k < 2 THEN
        RAISE EXCEPTION 'k must be at least 2' USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.array_length(parents, 1), 0) <> n OR coalesce(pg_catalog.array_length(members, 1), 0) <> n THEN
        RAISE EXCEPTION 'cells, parents and members must have the same length' USING ERRCODE = '22023';
    END IF;
    IF coalesce(pg_catalog.array_length(released, 1), 0) <> n THEN
        RAISE EXCEPTION 'released must have one entry per cell' USING ERRCODE = '22023';
    END IF;
    IF fixed IS NOT NULL AND coalesce(pg_catalog.array_length(fixed, 1), 0) <> n THEN
        RAISE EXCEPTION 'fixed must have one entry per cell' USING ERRCODE = '22023';
    END IF;
    IF n = 0 THEN
        RETURN '{}'::text[];
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(cells) AS c) <> n OR pg_catalog.array_position(cells, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'cell keys must be unique and not null' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.array_agg(p.i ORDER BY c.i), pg_catalog.array_agg(NOT coalesce(c.r, false) ORDER BY c.i)
      INTO parent_idx, supp
      FROM unnest(cells, parents, members, released) WITH ORDINALITY AS c(key, parent, m, r, i)
      LEFT JOIN pg_catalog.unnest(cells) WITH ORDINALITY AS p(key, i) ON p.key = c.parent;
    LOOP
        rounds := rounds + 1;
        WITH c AS (
            SELECT i, parent_idx[i] AS p, coalesce(members[i], 0) AS m, supp[i] AS s
              FROM pg_catalog.generate_subscripts(cells, 1) AS i),
        rel AS (
            SELECT c.p, pg_catalog.count(*) FILTER (WHERE c.s) AS ns, pg_catalog.count(*) AS nc,
                   pg_catalog.count(*) FILTER (WHERE NOT c.s AND NOT coalesce(fixed[c.i], false)) AS eligible,
                   coalesce(pg_catalog.max(c.m) FILTER (WHERE c.s), 0) AS maxs,
                   coalesce(pg_catalog.sum(c.m) FILTER (WHERE NOT c.s), 0) AS sumr
              FROM c WHERE c.p IS NOT NULL GROUP BY c.p),
        bad AS (
            SELECT rel.p FROM rel
             WHERE (NOT supp[rel.p] AND rel.ns >= 1
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))
                OR (supp[rel.p] AND rel.ns < rel.nc AND rel.eligible > 0
                    AND (rel.ns < 2 OR GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr) < k))),
        pick AS (
            SELECT DISTINCT ON (bad.p) bad.p, c.i
              FROM bad LEFT JOIN c ON c.p = bad.p AND NOT c.s AND NOT coalesce(fixed[c.i], false)
             ORDER BY bad.p, c.m = 0, c.m NULLS LAST, cells[c.i] COLLATE "C")
        SELECT pg_catalog.array_agg(DISTINCT coalesce(pick.i, pick.p)) INTO victims FROM pick;
        EXIT WHEN victims IS NULL;
        FOREACH v IN ARRAY victims LOOP
            supp[v] := true;
        END LOOP;
        IF rounds > n + 1 THEN
            RAISE EXCEPTION 'complementary suppression did not converge' USING ERRCODE = 'XX000';
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT cells[i] FROM pg_catalog.generate_subscripts(cells, 1) AS i WHERE NOT supp[i] ORDER BY i);
END
$fn$;
COMMENT ON FUNCTION @extschema@.suppress_cells(text[], text[], bigint[], boolean[], integer, boolean[]) IS
    'Keys of the cells that may be released along a hierarchy (cells, their parents, their exact distinct-member counts, whether the release policy releases each cell on its own, optionally cells whose figures are already public: never picked as complements) under complementary suppression at k.';

-- The plain k rule as the primary rule (fewer than exactly k members, the server's setting not
-- applied): for checking a suppression pattern by hand.  publish uses suppress_cells with the
-- release policy's decision instead.
CREATE OR REPLACE FUNCTION @extschema@.complementary_suppression(cells text[], parents text[], members bigint[], k integer)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT @extschema@.suppress_cells(cells, parents, members,
               ARRAY(SELECT coalesce(t.m, 0) OPERATOR(pg_catalog.>=) k FROM pg_catalog.unnest(members) WITH ORDINALITY AS t(m, i) ORDER BY t.i), k)
$fn$;
COMMENT ON FUNCTION @extschema@.complementary_suppression(text[], text[], bigint[], integer) IS
    'Keys of the cells that may be released under primary (< k members) and complementary suppression along a hierarchy (cells, their parents, their exact distinct-member counts).';

-- part: sql/parts/62_publish_query.sql
-- The publication query builder: the SELECT of the cells publish would release now (a live
-- publication is a security_barrier view of it), built from the same arguments, returned as text
-- so that it can be read, tested and benchmarked on its own.  Its stages:
--   r         exlink.refresh_query: every cell (its figures as text, exact distinct members,
--             rows) and every member of every cell (rows), cells keyed by their dimensions'
--             hashes under the types' equality (so parents and children match as GROUP BY
--             groups); MATERIALIZED, a fence so that no qual of an analyst querying a live view
--             is ever pushed down into the source scan (a filtered source would be a second,
--             overlapping grain, open to differencing);
--   cells     each cell with its largest member share (dominance);
--   released  the cells left after complementary suppression (exlink.suppress_cells) over the
--             release decision on each cell on its own (exlink.release_status: k, dominance);
-- then the released cells, each column cast back to its type.  No check of the policy here:
-- publish runs exlink.check_publishable first.  A materialized publication shows what
-- exlink.refresh released instead (exlink.released_query), which also guards change over time.
CREATE FUNCTION @extschema@.publish_query(
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kk integer := coalesce(k, @extschema@.min_group_size());
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
BEGIN
    IF source IS NULL OR member_column IS NULL OR measures IS NULL OR rollup IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_query arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF kk < 2 OR kk > 1000 THEN
        RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
    END IF;
    RETURN pg_catalog.format($q$
WITH r AS MATERIALIZED (%1$s),
top AS (
    SELECT m.cell_id, pg_catalog.max(m.responses) AS top FROM r AS m WHERE m.per_member GROUP BY m.cell_id),
cells AS (
    SELECT c.cell_id, c.figures[%6$s] AS cell, p.figures[%6$s] AS parent,
           c.level, c.members, c.figures, top.top::float8 / NULLIF(c.responses, 0) AS share
      FROM r AS c
      LEFT JOIN r AS p ON NOT p.per_member AND p.cell_id = c.parent_id
      LEFT JOIN top ON top.cell_id = c.cell_id
     WHERE NOT c.per_member),
released AS (
    SELECT pg_catalog.unnest(@extschema@.suppress_cells(
               pg_catalog.array_agg(c.cell), pg_catalog.array_agg(c.parent), pg_catalog.array_agg(c.members),
               pg_catalog.array_agg(@extschema@.release_status(c.members, %2$s, c.share, NULL, %3$s) = 'ok'),
               GREATEST(%2$s, @extschema@.min_group_size()))) AS cell
      FROM cells AS c)
SELECT %4$s
  FROM cells AS r
 WHERE r.cell IN (SELECT released.cell FROM released)%5$s$q$,
        @extschema@.refresh_query(source, member_column, dimensions, measures, kk, rollup),
        kk, pg_catalog.format('%L::float8', @extschema@.max_member_share()),
        @extschema@.typed_figures(source, dimensions, measures),
        CASE WHEN rollup THEN '' ELSE pg_catalog.format(' AND r.level = %s', nd) END,
        nd + 2);
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_query(regclass, name, name[], name[], integer, boolean) IS
    'The SELECT of the cells exlink.publish would release now (k, dominance, complementary suppression), without running it or checking the policy; a live publication is a view of it.';

-- Driver prioritization under uncertainty (issue 12, item 5).
-- part: sql/parts/32_priority.sql
-- Driver prioritization under uncertainty: exlink.driver_priority ranks the drivers of a model
-- in seeded draws from the betas' sampling distribution (src/priority.c).

CREATE FUNCTION @extschema@.driver_priority(model @extschema@.driver_model, draws integer DEFAULT 10000,
                                            seed bigint DEFAULT 1, level float8 DEFAULT 0.95,
                                            signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_model';
COMMENT ON FUNCTION @extschema@.driver_priority(@extschema@.driver_model, integer, bigint, float8, boolean) IS
    'Per driver of a key-driver model: importance (|beta|, or beta when signed), its rank, the probability that it is the most important, its mean rank and an interval of its rank, from seeded draws of the betas (multivariate t with the model''s covariance and degrees of freedom); the same model and seed give the same figures.';

CREATE FUNCTION @extschema@.driver_priority(names text[], beta float8[], vcov float8[], df float8 DEFAULT NULL,
                                            draws integer DEFAULT 10000, seed bigint DEFAULT 1,
                                            level float8 DEFAULT 0.95, signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_arrays';
COMMENT ON FUNCTION @extschema@.driver_priority(text[], float8[], float8[], float8, integer, bigint, float8, boolean) IS
    'driver_priority for betas and their covariance (q x q) from any source; df NULL or Infinity draws from a normal, else from a multivariate t.';

-- Employee-clustered inference (issue 12): cluster-robust CR1 p-values and intervals for the
-- member forms of linked_correlation and driver_weights; new result fields at the end of the
-- composite types; an explicit inference argument; the cluster summary in exlink.moments.
ALTER TYPE @extschema@.correlation ADD ATTRIBUTE clusters bigint;
ALTER TYPE @extschema@.correlation ADD ATTRIBUTE inference text;
ALTER TYPE @extschema@.driver ADD ATTRIBUTE ci_low float8;
ALTER TYPE @extschema@.driver ADD ATTRIBUTE ci_high float8;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE clusters bigint;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE df float8;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE inference text;
ALTER TYPE @extschema@.driver_model ADD ATTRIBUTE vcov float8[];
COMMENT ON TYPE @extschema@.correlation IS
    'A correlation with inference: n, members (NULL when unknown), r, t, df, two-sided p, Fisher-z interval at level, suppressed, status (ok or why figures are NULL), rows skipped, clusters (distinct members behind cluster-robust inference, else NULL) and the inference used (cluster-robust CR1, independent rows, or unavailable: why).';
COMMENT ON TYPE @extschema@.driver IS
    'One driver of a key-driver model: standardized beta, its standard error, t and p; Pratt measure; Johnson relative weight and its share of R² (%); Shapley/LMG value and share (%); rank by LMG (by relative weight when LMG is NULL); 95% interval of the beta.';
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests, the inference used, and the covariance matrix of the standardized betas.';
COMMENT ON TYPE @extschema@.moments IS
    'Sealed mergeable sufficient statistics of a float8 vector: n, means, co-moments, a lower bound on distinct members (never member hashes) and, when made with members from at most 16 variables, a fixed-size cluster summary for cluster-robust inference.';
COMMENT ON AGGREGATE @extschema@.merge(@extschema@.moments) IS
    'Union of exlink.moments values (exact pairwise merge); members is the largest lower bound among the inputs; cluster summaries add up (exact when no member is in two inputs).';
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: add a (cx, ex) row and its member to a state, with a confidence level and the inference asked for.';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: guarded Pearson correlation with the inference asked for, from a state.';
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text, level float8, inference text) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8, text) IS
    'Guarded Pearson correlation with the interval at a level and the inference asked for: ''cluster'' (cluster-robust CR1 by member, the default of the member forms) or ''independent'' (rows independent).';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text) IS
    'Guarded Pearson correlation with cluster-robust (CR1, by member) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8) IS
    'Guarded Pearson correlation with cluster-robust inference, the interval at a confidence level in (0, 1).';
CREATE FUNCTION @extschema@.linked_correlation(m @extschema@.moments, i integer, j integer, level float8, inference text)
    RETURNS @extschema@.correlation
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_moments';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8, text) IS
    'Pearson correlation between variables i and j of a moments value, interval at a level, with the inference asked for (''cluster'' or ''independent'').';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer) IS
    'Pearson correlation with inference between variables i and j (1-based) of a moments value (cluster-robust when it carries a cluster summary); suppressed when its member lower bound is below exlink.min_group_size.';
CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text) IS 'Aggregate support: add a row and its member to a state carrying driver names and the inference asked for.';
CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text) IS
    'Guarded key-driver analysis with driver names (NULL for x1..xq) and the inference asked for: ''cluster'' (cluster-robust CR1 by member, the default of the member forms) or ''independent''.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text) IS
    'Guarded key-driver analysis with cluster-robust (CR1, by member) standard errors: all figures NULL and suppressed = true unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
CREATE FUNCTION @extschema@.driver_weights(m @extschema@.moments, names text[], inference text) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_moments';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[], text) IS
    'Key-driver analysis of a moments value with driver names (NULL for x1..xq) and the inference asked for (''cluster'' or ''independent'').';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments) IS
    'Key-driver analysis of a moments value (a published cell or a merge of cells): variable 1 is the outcome, the others the drivers x1..xq; cluster-robust when it carries a cluster summary; suppressed when its member lower bound is below exlink.min_group_size.';
DROP FUNCTION @extschema@.drivers(@extschema@.driver_model);
CREATE FUNCTION @extschema@.drivers(m @extschema@.driver_model)
    RETURNS TABLE (ordinal integer, name text, beta float8, beta_se float8, t float8, p_value float8,
                   pratt float8, relative_weight float8, relative_weight_share float8,
                   lmg float8, lmg_share float8, rank integer,
                   n bigint, members bigint, r2 float8, adj_r2 float8, condition_number float8,
                   suppressed boolean, status text,
                   ci_low float8, ci_high float8, clusters bigint, df float8, inference text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT d.ordinal::integer, d.name, d.beta, d.beta_se, d.t, d.p_value, d.pratt,
           d.relative_weight, d.relative_weight_share, d.lmg, d.lmg_share, d.rank,
           ($1).n, ($1).members, ($1).r2, ($1).adj_r2, ($1).condition_number,
           ($1).suppressed, ($1).status,
           d.ci_low, d.ci_high, ($1).clusters, ($1).df, ($1).inference
      FROM pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, ordinal)
     ORDER BY d.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.drivers(@extschema@.driver_model) IS
    'One plain row per driver of a key-driver model (in input order, with ordinal), repeating the model''s n, members, R², adjusted R², condition number, suppressed and status; then the beta''s interval, clusters, df and inference.';

-- Clustered inference: exlink.split_members, the nesting check for published cells.
-- part: sql/parts/66_split_members.sql
-- Clustered inference over published cells is exact only when no member's rows fall into two
-- cells: exlink.split_members counts the members a grain would split, for the custodian to
-- check before publishing cells meant for clustered merges (a merged value cannot know).

CREATE FUNCTION @extschema@.split_members(source regclass, member_column name, dimensions name[])
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $fn$
DECLARE
    dims text;
    n bigint;
BEGIN
    IF source IS NULL OR member_column IS NULL OR dimensions IS NULL THEN
        RAISE EXCEPTION 'source, member column and dimensions must not be null' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.cardinality(dimensions) = 0 THEN
        RETURN 0;
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('%I', d), ', ' ORDER BY o)
      INTO dims FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS u(d, o);
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.count(*) FROM (SELECT 1 FROM %s WHERE %I IS NOT NULL AND %I::pg_catalog.text <> '''''
        ' GROUP BY %I HAVING pg_catalog.count(DISTINCT ROW(%s)) > 1) s',
        source, member_column, member_column, member_column, dims)
      INTO n;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION @extschema@.split_members(regclass, name, name[]) IS
    'Members of source whose rows fall into more than one cell of the given dimensions (0: members are nested in the cells, so merged cluster summaries give exact clustered inference). Custodian tool (reads the raw source, as the caller).';
REVOKE ALL ON FUNCTION @extschema@.split_members(regclass, name, name[]) FROM PUBLIC;

-- audit_view: the member forms with an inference argument are guards; views that read only
-- publications or results tables are guarded.
-- part: sql/parts/64_audit.sql
-- Audit: the violations of an existing view or materialized view (protected or member columns,
-- protected source columns read, no k guard).  Every aggregate taking a member argument must be
-- known here as a guard: test/sql/audit_guards.sql fails when one is missing.

-- The violations of an existing view or materialized view.
CREATE OR REPLACE FUNCTION @extschema@.audit_view(target regclass)
RETURNS TABLE (column_name name, violation text, detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    guarded boolean;
    -- Registered objects: publications and results tables (guarded by construction).
    registered oid[] := ARRAY(SELECT p.object::oid FROM @extschema@.publications p
                              UNION ALL SELECT rt.object::oid FROM @extschema@.result_tables rt);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = target AND c.relkind IN ('v', 'm')) THEN
        RAISE EXCEPTION '% is not a view or materialized view', target USING ERRCODE = '22023';
    END IF;
    -- Output columns that match the policy.
    RETURN QUERY
    SELECT a.attname,
           CASE WHEN @extschema@.policy_violation(a.attname, 'member identifier') IS NOT NULL
                THEN 'raw member or pseudonym column' ELSE 'protected column' END,
           @extschema@.policy_violation(a.attname)
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
       AND @extschema@.policy_violation(a.attname) IS NOT NULL
     ORDER BY a.attnum;
    -- Output columns that are, under another name, a registered member column.
    RETURN QUERY
    SELECT a.attname, 'raw member or pseudonym column'::text,
           pg_catalog.format('same name as the member column of %s', p.object)
      FROM pg_catalog.pg_attribute a
      JOIN @extschema@.publications p ON p.member_column = a.attname
     WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
       AND @extschema@.policy_violation(a.attname) IS NULL
     ORDER BY a.attnum;
    -- Source columns the view reads that the policy protects (even when renamed in the output).
    RETURN QUERY
    SELECT DISTINCT sa.attname, 'reads protected column'::text,
           pg_catalog.format('%s.%s: %s', d.refobjid::regclass, pg_catalog.quote_ident(sa.attname), @extschema@.policy_violation(sa.attname))
      FROM pg_catalog.pg_rewrite rw
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                 AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0
      JOIN pg_catalog.pg_attribute sa ON sa.attrelid = d.refobjid AND sa.attnum = d.refobjsubid
     WHERE rw.ev_class = target AND d.refobjid <> target
       AND @extschema@.policy_violation(sa.attname, 'protected attribute') IS NOT NULL;
    -- A guard: a registered publication or results table, or a view that calls an exlink guard.
    SELECT target::oid = ANY (registered)
        OR EXISTS (SELECT 1
                     FROM pg_catalog.pg_rewrite rw
                     JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                     JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                    WHERE rw.ev_class = target
                      AND f.pronamespace = '@extschema@'::regnamespace
                      AND (f.proname IN ('members_at_least', 'guarded_avg', 'guarded_count', 'nps',
                                         'complementary_suppression', 'suppress_cells', 'release_status')
                           OR f.oid IN ('@extschema@.moments(float8[], text)'::regprocedure,
                                        '@extschema@.moments(float8[], text, integer)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[])'::regprocedure,
                                        '@extschema@.linked_correlation(float8, float8, text, float8, text)'::regprocedure,
                                        '@extschema@.driver_weights(float8, float8[], text, text[], text)'::regprocedure,
                                        '@extschema@.rank_correlation(float8, float8, text, float8, text)'::regprocedure)))
      INTO guarded;
    -- Or a view that reads only publications: every relation it reads (through views and
    -- materialized views, recursively) is a registered publication or results table, and every function it
    -- calls that is not built in is exlink's (built-in functions leave no pg_depend entry).
    -- Such a view sees released cells only, whatever it computes from them.
    IF NOT guarded THEN
        WITH RECURSIVE reads(rel, depth) AS (
            SELECT target::oid, 0
            UNION
            SELECT d.refobjid, r.depth + 1
              FROM reads r
              JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.rel
              JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                         AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.rel
             WHERE r.depth < 32
               AND NOT r.rel = ANY (registered))
        SELECT EXISTS (SELECT 1 FROM reads r WHERE r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r JOIN pg_catalog.pg_class c ON c.oid = r.rel
                            WHERE c.relkind NOT IN ('v', 'm')
                              AND NOT r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r
                             JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.rel
                             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                                        AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                             JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
                            WHERE f.pronamespace <> '@extschema@'::regnamespace
                              AND NOT r.rel = ANY (registered))
           AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.depth >= 32)
          INTO guarded;
    END IF;
    IF NOT guarded THEN
        RETURN QUERY SELECT NULL::name, 'no k guard'::text,
            'Neither an exlink publication or results table, a view reading only those, nor a view using an exlink guard (members_at_least, guarded_avg, guarded_count, nps, the guarded moments, linked_correlation, rank_correlation or driver_weights).'::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION @extschema@.audit_view(regclass) IS
    'Violations of a view or materialized view: protected columns, raw member or pseudonym columns, protected source columns read, no k guard (neither a publication or results table, a view reading only those, nor a view using an exlink guard; no rows: none found).';
REVOKE ALL ON FUNCTION @extschema@.audit_view(regclass) FROM PUBLIC;

-- ---- confidentiality (issue 11): dominance, cell keys by the types' equality, refresh guard --
-- exlink.max_member_share (setting and function) and the release decision's dominance and
-- change rules (release_status's share_limit, above); publications gain max_member_share and
-- release_key; cells are keyed by their dimensions' hashes under the types' equality
-- (dimension_hash, cell_key_parts, refresh_query); materialized publications are views over
-- released_cells, written by release_cells (publish, refresh) with the ledger release_ledger;
-- refresh_status; a plain REFRESH of a publication is routed to exlink.refresh by the library.
-- Publications made by 0.1.0 keep working: their release_key is NULL until their first
-- exlink.refresh (or REFRESH), which releases through the guard and rebuilds them over
-- released_cells (keeping name, owner, grants and comment).
ALTER TABLE @extschema@.publications
    ADD COLUMN max_member_share float8 NOT NULL DEFAULT 1 CHECK (max_member_share > 0 AND max_member_share <= 1),
    ADD COLUMN release_key text UNIQUE;
COMMENT ON COLUMN @extschema@.publications.max_member_share IS 'The dominance threshold baked into the publication (the effective one is min(max_member_share, exlink.max_member_share) at refresh).';
COMMENT ON COLUMN @extschema@.publications.release_key IS 'Key of a materialized publication''s cells in exlink.released_cells and exlink.release_ledger (NULL: made by exlink 0.1.0, rebuilt at its first exlink.refresh).';

-- part: sql/parts/63_publish.sql
-- Publication: publish (arguments, policy, overlap with other publications, the query from
-- exlink.publish_query, the DDL, the registry entry in exlink.publications) and unpublish.
-- SECURITY INVOKER, search_path = pg_catalog, pg_temp, identifiers through format('%I') or a
-- regclass.  Functions only, so that the upgrade script includes this part as it is.

CREATE OR REPLACE FUNCTION @extschema@.publish(
    publication text,
    source regclass,
    member_column name,
    dimensions name[],
    measures name[] DEFAULT '{}',
    grant_to name[] DEFAULT '{}',
    k integer DEFAULT NULL,
    rollup boolean DEFAULT false,
    live boolean DEFAULT false,
    force boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
    target text;
    kk integer;
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    other record;
    overlapping boolean;
    q text;
    obj regclass;
    r name;
    key text;
    share float8 := @extschema@.max_member_share();
BEGIN
    IF publication IS NULL OR source IS NULL OR member_column IS NULL OR dimensions IS NULL OR measures IS NULL
       OR grant_to IS NULL OR rollup IS NULL OR live IS NULL OR force IS NULL THEN
        RAISE EXCEPTION 'exlink.publish arguments cannot be null (except k)' USING ERRCODE = '22023';
    END IF;
    -- The target: exactly schema.name, parsed strictly (quoted identifiers allowed).
    BEGIN
        parts := pg_catalog.parse_ident(publication);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid publication name' USING ERRCODE = '22023',
            DETAIL = 'The name must be schema.name, with double quotes around unusual identifiers.';
    END;
    IF pg_catalog.array_length(parts, 1) <> 2 THEN
        RAISE EXCEPTION 'publication name must be schema.name' USING ERRCODE = '22023',
            HINT = 'Write schema.name.';
    END IF;
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);

    -- k: the setting by default, never lower.
    kk := @extschema@.min_group_size();
    IF k IS NOT NULL THEN
        IF k < kk THEN
            RAISE EXCEPTION 'k cannot be lower than exlink.min_group_size' USING ERRCODE = '42501',
                DETAIL = pg_catalog.format('Asked for %s; the server requires at least %s.', k, kk);
        END IF;
        IF k > 1000 THEN
            RAISE EXCEPTION 'k must be between 2 and 1000' USING ERRCODE = '22023';
        END IF;
        kk := k;
    END IF;

    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    IF nm > 64 THEN
        RAISE EXCEPTION 'at most 64 measures can be published' USING ERRCODE = '54000';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT c) FROM pg_catalog.unnest(dimensions || measures) c) <> nd + nm THEN
        RAISE EXCEPTION 'dimensions and measures must be distinct columns' USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = source AND c.relkind IN ('r', 'v', 'm', 'p', 'f')) THEN
        RAISE EXCEPTION 'source must be a table, view, materialized view or foreign table' USING ERRCODE = '22023';
    END IF;

    -- The policy (exlink.check_publishable raises the refusal).
    PERFORM @extschema@.check_publishable(source, member_column, dimensions, measures);
    FOREACH r IN ARRAY grant_to LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist', pg_catalog.quote_ident(r) USING ERRCODE = '42704';
        END IF;
    END LOOP;

    -- Registry rows of publications dropped without unpublish are stale: forget them (their
    -- released cells and ledger too).
    DELETE FROM @extschema@.publications p
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);
    DELETE FROM @extschema@.released_cells rc
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = rc.release_key);
    DELETE FROM @extschema@.release_ledger l
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.publications p WHERE p.release_key = l.release_key);

    -- Overlapping grains of one source can be subtracted from each other: refuse unless forced.
    -- (A different k at the same grain suppresses different complements: also a different grain.
    -- So are other measures or another member column: listwise deletion keeps other rows, and
    -- the same cell published over two row sets differs by the rows of a few members.  A live
    -- and a materialized twin of one grain differ by every change since the last refresh.)
    SELECT p.object, p.kind, p.dimensions, p.rollup, p.k, p.measures, p.member_column INTO other
      FROM @extschema@.publications p
     WHERE p.source = publish.source
       AND (p.dimensions <> publish.dimensions OR p.rollup <> publish.rollup OR p.k <> kk
            OR p.member_column <> publish.member_column
            OR (p.kind = 'live') <> publish.live
            OR NOT (p.measures @> publish.measures AND p.measures <@ publish.measures))
     ORDER BY p.published_at LIMIT 1;
    overlapping := FOUND;
    IF overlapping AND NOT force THEN
        RAISE EXCEPTION 'another publication of the same source overlaps this one'
            USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('%s (%s) publishes %s by (%s)%s, k = %s, members %s, measures (%s); figures of two overlapping grains (or of one grain over two row sets, or a live and a materialized twin) can be subtracted from each other to reveal suppressed cells, which complementary suppression within one publication cannot prevent.',
                                       other.object, other.kind, source, pg_catalog.array_to_string(other.dimensions, ', '),
                                       CASE WHEN other.rollup THEN ' with roll-up' ELSE '' END, other.k,
                                       pg_catalog.quote_ident(other.member_column), pg_catalog.array_to_string(other.measures, ', ')),
            HINT = 'Publish one hierarchy with rollup => true (its levels are protected together), unpublish the other, or pass force => true if no analyst can read both.';
    END IF;

    -- The query (exlink.publish_query), then the DDL.
    IF live THEN
        q := @extschema@.publish_query(source, member_column, dimensions, measures, kk, rollup);
        EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s', target, q);
    ELSE
        -- The first release goes through the guard of every refresh (exlink.release_cells);
        -- the view shows what it released.
        key := pg_catalog.gen_random_uuid()::text;
        PERFORM @extschema@.release_cells(key, source, member_column, dimensions, measures, kk, share, rollup);
        EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s', target,
                                  @extschema@.released_query(key, source, dimensions, measures));
        EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(parts[2], 50) || '_cell', target);
    END IF;
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON %s %s IS %L', CASE WHEN live THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, target,
        pg_catalog.format('exlink publication of %s by (%s), k = %s%s', source, pg_catalog.array_to_string(dimensions, ', '), kk,
                          CASE WHEN rollup THEN ', with roll-up and complementary suppression' ELSE '' END));

    INSERT INTO @extschema@.publications (object, kind, source, member_column, dimensions, measures, rollup, k, grantees, forced,
                                          max_member_share, release_key)
    VALUES (obj, CASE WHEN live THEN 'live' ELSE 'materialized' END, source, member_column, dimensions, measures,
            rollup, kk, grant_to, force AND overlapping, share, key);
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) IS
    'Custodian only: publish the cells of source by dimensions that cover at least k distinct members (with roll-up and complementary suppression on request) as a materialized view, or a security_barrier view when live => true.';
REVOKE ALL ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.unpublish(publication regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind_ text;
    rt regclass;
BEGIN
    -- A results table: drop it (its results leave released_cells at the next refresh).
    IF EXISTS (SELECT 1 FROM @extschema@.result_tables t WHERE t.object = unpublish.publication) THEN
        DELETE FROM @extschema@.result_tables t WHERE t.object = unpublish.publication;
        EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', publication);
        RETURN;
    END IF;
    SELECT p.kind INTO kind_ FROM @extschema@.publications p WHERE p.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    -- Its results tables go with it.
    FOR rt IN SELECT t.object FROM @extschema@.result_tables t WHERE t.publication = unpublish.publication LOOP
        DELETE FROM @extschema@.result_tables t WHERE t.object = rt;
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt) THEN
            EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', rt);
        END IF;
    END LOOP;
    DELETE FROM @extschema@.released_cells rc
     WHERE rc.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    DELETE FROM @extschema@.release_ledger l
     WHERE l.release_key = (SELECT p.release_key FROM @extschema@.publications p WHERE p.object = publication);
    DELETE FROM @extschema@.publications p WHERE p.object = publication;
    EXECUTE pg_catalog.format('DROP %s %s', CASE WHEN kind_ = 'live' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, publication);
END
$fn$;
COMMENT ON FUNCTION @extschema@.unpublish(regclass) IS
    'Custodian only: drop a publication (with its results tables) or a results table, and its registry entry (the caller must own it).';
REVOKE ALL ON FUNCTION @extschema@.unpublish(regclass) FROM PUBLIC;

-- part: sql/parts/65_refresh.sql
-- Refresh guard: cell keys by the dimension types' equality (dimension_hash, cell_id_parts),
-- the change ledger (released_cells, release_ledger, refresh_status), the release of a
-- materialized publication's cells (release_cells) and exlink.refresh.
--
-- A materialized publication is a materialized view over exlink.released_cells: it shows what
-- the guard last released, nothing else, so a plain REFRESH of it can release nothing new (the
-- library routes it to exlink.refresh anyway).  exlink.refresh computes every cell and, per cell
-- and member, a digest of the member's rows in one statement, compares the digests with the
-- ledger (what the cell's last release covered) and releases a cell's new figures only when the
-- release decision (exlink.release_status) allows the cell on its own (k, dominance) and the
-- change since its last release (0 or at least k changed members), and complementary
-- suppression allows both the levels and the changes along the hierarchy.  Otherwise the cell
-- keeps its last released figures (held back) or is hidden.

CREATE FUNCTION @extschema@.max_member_share() RETURNS float8
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'exlink_max_member_share';
COMMENT ON FUNCTION @extschema@.max_member_share() IS
    'The dominance threshold in force: exlink.max_member_share as the library reads it (never a placeholder).';

-- The hash function of a dimension type consistent with the equality GROUP BY uses (the
-- extended hash support function of the type's default hash operator class: equal values, and
-- so every spelling of one value, hash alike), or NULL when the type has none.
CREATE FUNCTION @extschema@.dimension_hash(typ regtype)
RETURNS regproc
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH t AS (
        SELECT ty.oid, ty.typtype, ty.typcategory, ty.typelem,
               CASE WHEN ty.typtype OPERATOR(pg_catalog.=) 'd' THEN ty.typbasetype ELSE ty.oid END AS base
          FROM pg_catalog.pg_type ty WHERE ty.oid OPERATOR(pg_catalog.=) typ),
    b AS (
        SELECT t.base, bt.typtype, bt.typelem, bt.typrelid, bt.typcategory
          FROM t JOIN pg_catalog.pg_type bt ON bt.oid OPERATOR(pg_catalog.=) t.base),
    wanted(intype, pref) AS (
        SELECT b.base, 1 FROM b
        UNION ALL
        -- binary-coercible (varchar: text), the preferred type of its category first, as
        -- PostgreSQL picks a default operator class
        SELECT c.casttarget, CASE WHEN tt.typispreferred THEN 2 ELSE 3 END FROM b
          JOIN pg_catalog.pg_cast c ON c.castsource OPERATOR(pg_catalog.=) b.base AND c.castmethod OPERATOR(pg_catalog.=) 'b'
          JOIN pg_catalog.pg_type tt ON tt.oid OPERATOR(pg_catalog.=) c.casttarget
        UNION ALL
        SELECT 'pg_catalog.anyarray'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typcategory OPERATOR(pg_catalog.=) 'A'
        UNION ALL
        SELECT 'pg_catalog.anyenum'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'e'
        UNION ALL
        SELECT 'pg_catalog.anyrange'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'r'
        UNION ALL
        SELECT 'pg_catalog.anymultirange'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'm'
        UNION ALL
        SELECT 'pg_catalog.record'::pg_catalog.regtype::pg_catalog.oid, 4 FROM b WHERE b.typtype OPERATOR(pg_catalog.=) 'c')
    SELECT ap.amproc::pg_catalog.regproc
      FROM wanted w
      JOIN pg_catalog.pg_opclass oc ON oc.opcintype OPERATOR(pg_catalog.=) w.intype AND oc.opcdefault
      JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) oc.opcmethod AND am.amname OPERATOR(pg_catalog.=) 'hash'
      JOIN pg_catalog.pg_amproc ap ON ap.amprocfamily OPERATOR(pg_catalog.=) oc.opcfamily
                                  AND ap.amproclefttype OPERATOR(pg_catalog.=) oc.opcintype
                                  AND ap.amprocrighttype OPERATOR(pg_catalog.=) oc.opcintype
                                  AND ap.amprocnum OPERATOR(pg_catalog.=) 2
     ORDER BY w.pref
     LIMIT 1
$fn$;
COMMENT ON FUNCTION @extschema@.dimension_hash(regtype) IS
    'The extended hash function of a type''s default hash operator class (consistent with the equality GROUP BY uses), or NULL: publish refuses dimensions whose type has none.';

-- The SQL of a cell's key parts inside a grouped query over src: one text per dimension, the
-- dimension's hash under its type's equality when the dimension is grouped ('null' for a NULL
-- value), '*' when it is rolled up.  Cells are matched (parents, children, the ledger) by these
-- keys, so 1.0 and 1.00, '1 day' and '24:00:00', 'a' and 'a  ' as bpchar, -0 and 0, values
-- equal under a nondeterministic collation, are one cell, exactly as GROUP BY makes them.
CREATE FUNCTION @extschema@.cell_id_parts(source regclass, dimensions name[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    d name;
    typ regtype;
    fn regproc;
    parts text[] := '{}';
BEGIN
    FOREACH d IN ARRAY dimensions LOOP
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = source AND a.attname = d AND a.attnum > 0 AND NOT a.attisdropped;
        IF typ IS NULL THEN
            RAISE EXCEPTION 'column % does not exist in %', pg_catalog.quote_ident(d), source USING ERRCODE = '42703';
        END IF;
        fn := @extschema@.dimension_hash(typ);
        IF fn IS NULL THEN
            RAISE EXCEPTION 'dimension % has type %, whose equality exlink cannot match', pg_catalog.quote_ident(d), typ
                USING ERRCODE = '0A000',
                DETAIL = 'Cells are matched (parents, children, releases over time) by a hash consistent with the type''s equality; the type has no default hash operator class with an extended hash function.',
                HINT = 'Publish a cast of the column to a type with one (e.g. text) from a view of your own.';
        END IF;
        parts := parts || pg_catalog.format('CASE WHEN GROUPING(src.%1$I) = 0 THEN coalesce(%2$I.%3$I(src.%1$I, 0)::text, %4$L) ELSE %5$L END',
                                            d, (SELECT n.nspname FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid = pr.pronamespace WHERE pr.oid = fn),
                                            (SELECT pr.proname FROM pg_catalog.pg_proc pr WHERE pr.oid = fn), 'null', '*');
    END LOOP;
    RETURN 'ARRAY[' || pg_catalog.array_to_string(parts, ', ') || ']::text[]';
END
$fn$;
COMMENT ON FUNCTION @extschema@.cell_id_parts(regclass, name[]) IS
    'SQL (inside a grouped query over src) of a cell''s key parts: per dimension its hash under the type''s equality, ''null'' or ''*'' (rolled up); raises 0A000 for a dimension type with no such hash.';

-- What was last released, per publication and cell (every cell ever released, shown or not):
-- the figures as the publication shows them (each column's text form, in column order), when.
CREATE TABLE @extschema@.released_cells (
    release_key text NOT NULL,
    cell_id text NOT NULL,
    parent_id text,
    level integer NOT NULL,
    members bigint NOT NULL,
    figures text[] NOT NULL,
    shown boolean NOT NULL,
    released_at timestamptz NOT NULL,
    held_since timestamptz,
    pending_members integer NOT NULL DEFAULT 0,
    results jsonb,
    basis_shown boolean NOT NULL DEFAULT true,
    PRIMARY KEY (release_key, cell_id)
);
COMMENT ON TABLE @extschema@.released_cells IS
    'Custodian only: per publication (release_key) and cell, the figures last released, whether the publication shows them, and since when a change is held back. Materialized publications read it.';
COMMENT ON COLUMN @extschema@.released_cells.release_key IS 'The publication (exlink.publications.release_key).';
COMMENT ON COLUMN @extschema@.released_cells.cell_id IS 'The cell by its dimensions'' hashes under their types'' equality (level:parts).';
COMMENT ON COLUMN @extschema@.released_cells.parent_id IS 'The parent cell''s cell_id (NULL at the top).';
COMMENT ON COLUMN @extschema@.released_cells.level IS 'Number of grouped dimensions.';
COMMENT ON COLUMN @extschema@.released_cells.members IS 'Distinct members the released figures cover.';
COMMENT ON COLUMN @extschema@.released_cells.figures IS 'The released row, each column''s text form, in the publication''s column order.';
COMMENT ON COLUMN @extschema@.released_cells.shown IS 'Whether the publication shows the cell (false: suppressed now, or gone from the source).';
COMMENT ON COLUMN @extschema@.released_cells.released_at IS 'When these figures were released.';
COMMENT ON COLUMN @extschema@.released_cells.held_since IS 'First refresh that held back a change of this cell (NULL: nothing held back).';
COMMENT ON COLUMN @extschema@.released_cells.pending_members IS 'Members changed since the release and held back at the last refresh.';
COMMENT ON COLUMN @extschema@.released_cells.basis_shown IS 'Whether figures and ledger are those analysts were last shown (false: the cell was hidden at a release, with these rows; it stays hidden in this publication).';
COMMENT ON COLUMN @extschema@.released_cells.results IS 'The results released with these figures, per results table (exlink.result_tables.result_key): the text of its driver model or correlations.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.released_cells', '');
REVOKE ALL ON @extschema@.released_cells FROM PUBLIC;

-- The change ledger: per publication, cell and member, what the cell's last release covered of
-- the member's rows (row count and a digest of the measures), to count changed members.
CREATE TABLE @extschema@.release_ledger (
    release_key text NOT NULL,
    cell_id text NOT NULL,
    member text NOT NULL,
    responses bigint NOT NULL,
    digest numeric NOT NULL,
    PRIMARY KEY (release_key, cell_id, member)
);
COMMENT ON TABLE @extschema@.release_ledger IS
    'Custodian only: per publication, cell and member, the rows the cell''s last release covered (count and digest), from which exlink.refresh counts the members changed since.';
COMMENT ON COLUMN @extschema@.release_ledger.release_key IS 'The publication (exlink.publications.release_key).';
COMMENT ON COLUMN @extschema@.release_ledger.cell_id IS 'The cell (exlink.released_cells.cell_id).';
COMMENT ON COLUMN @extschema@.release_ledger.member IS 'The member (the member column''s value, a pseudonym).';
COMMENT ON COLUMN @extschema@.release_ledger.responses IS 'The member''s rows in the cell at its last release.';
COMMENT ON COLUMN @extschema@.release_ledger.digest IS 'Sum of 64-bit hashes of the member''s measure vectors in the cell at its last release.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_ledger', '');
REVOKE ALL ON @extschema@.release_ledger FROM PUBLIC;

CREATE VIEW @extschema@.refresh_status AS
    SELECT p.object AS publication, r.figures[pg_catalog.array_length(p.dimensions, 1) + 2] AS cell, r.level, r.shown,
           r.released_at, r.held_since, pg_catalog.now() OPERATOR(pg_catalog.-) r.held_since AS held_for, r.pending_members
      FROM @extschema@.released_cells r
      JOIN @extschema@.publications p ON p.release_key OPERATOR(pg_catalog.=) r.release_key;
COMMENT ON VIEW @extschema@.refresh_status IS
    'Custodian only: per cell of every materialized publication, whether it is shown, when its figures were released and how long a change has been held back (and by how many members).';
REVOKE ALL ON @extschema@.refresh_status FROM PUBLIC;

-- One refresh's computation: every cell (figures, members, largest member share) and, per cell
-- and member, the member's rows (count, digest), in ONE statement so that both describe the same
-- snapshot of the source.  Rows with per_member = true are the members of a cell.
CREATE FUNCTION @extschema@.refresh_query(
    source regclass,
    member_column name,
    dimensions name[],
    measures name[],
    k integer,
    rollup boolean,
    results text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    nm integer := coalesce(pg_catalog.array_length(measures, 1), 0);
    dim_sel text;
    dim_list text;
    dim_text text;
    level_expr text;
    where_expr text;
    vals text := '';
    finite text := '';
    means_text text := '';
    sets text;
    cell_sets text;
BEGIN
    IF nd = 0 THEN
        RAISE EXCEPTION 'at least one dimension is required' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('s.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('src.%I', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('src.%I::text', d), ', ' ORDER BY o),
           pg_catalog.string_agg(pg_catalog.format('(1 - GROUPING(src.%I))', d), ' + ' ORDER BY o)
      INTO dim_sel, dim_list, dim_text, level_expr
      FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o);
    where_expr := pg_catalog.format('s.%I IS NOT NULL AND s.%I::text <> %L', member_column, member_column, '');
    IF nm > 0 THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('s.%I::float8', m), ', ' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(' AND s.%I::float8 > %L::float8 AND s.%I::float8 < %L::float8',
                                                       m, '-Infinity', m, 'Infinity'), '' ORDER BY o),
               pg_catalog.string_agg(pg_catalog.format(', (@extschema@.means(@extschema@.moments(src.exlink_vals, src.exlink_member, %s)))[%s]::text', k, o), '' ORDER BY o)
          INTO vals, finite, means_text
          FROM pg_catalog.unnest(measures) WITH ORDINALITY AS t(m, o);
        where_expr := where_expr || finite;
    END IF;
    IF rollup THEN
        cell_sets := 'ROLLUP (' || dim_list || ')';
        SELECT pg_catalog.string_agg(pg_catalog.format('(%s)', coalesce(g || ', ', '') || 'src.exlink_member'), ', ' ORDER BY i)
          INTO sets
          FROM (SELECT i, (SELECT pg_catalog.string_agg(pg_catalog.format('src.%I', d), ', ' ORDER BY o)
                             FROM pg_catalog.unnest(dimensions[1:i]) WITH ORDINALITY AS t(d, o)) AS g
                  FROM pg_catalog.generate_series(0, nd) AS i) s;
    ELSE
        cell_sets := pg_catalog.format('GROUPING SETS ((%s), ())', dim_list);
        sets := pg_catalog.format('(%1$s, src.exlink_member), (src.exlink_member)', dim_list);
    END IF;
    -- src is read twice in one statement (one snapshot): once for the cells (as publications
    -- always computed them), once per member at the finest grain, rolled up per member from there
    -- (far fewer rows than the source, and no moments per member).
    RETURN pg_catalog.format($q$
WITH src AS NOT MATERIALIZED (
    SELECT %1$s, s.%2$I::text AS exlink_member%3$s
      FROM %4$s AS s
     WHERE %5$s),
c AS (
    SELECT %6$s AS level, %7$s AS key_parts, pg_catalog.count(*) AS responses,
           pg_catalog.count(DISTINCT src.exlink_member) AS members,
           ARRAY[%9$s, (%6$s)::text, %10$s, pg_catalog.count(*)::text,
                 pg_catalog.count(DISTINCT src.exlink_member)::text%11$s] AS figures,
           %16$s AS results
      FROM src GROUP BY %14$s),
f AS (
    SELECT %15$s, src.exlink_member, pg_catalog.count(*) AS responses, %8$s AS digest
      FROM src GROUP BY %15$s, src.exlink_member),
m AS (
    SELECT %6$s AS level, %7$s AS key_parts, src.exlink_member AS member,
           pg_catalog.sum(src.responses)::bigint AS responses, pg_catalog.sum(src.digest) AS digest
      FROM f AS src GROUP BY GROUPING SETS (%12$s)),
g AS (
    SELECT false AS per_member, c.level, c.key_parts, NULL::text AS member, c.responses, c.members,
           0::numeric AS digest, c.figures, c.results
      FROM c
    UNION ALL
    SELECT true, m.level, m.key_parts, m.member, m.responses, NULL::bigint, m.digest, NULL::text[], NULL::jsonb
      FROM m)
SELECT g.per_member, g.level,
       g.level || ':' || pg_catalog.array_to_string(g.key_parts, ',') AS cell_id,
       %13$s AS parent_id,
       g.member, g.responses, g.members, g.digest, g.figures, g.results
  FROM g$q$,
        dim_sel, member_column,
        CASE WHEN nm > 0 THEN ', ARRAY[' || vals || '] AS exlink_vals' ELSE '' END,
        source::text, where_expr,
        level_expr, @extschema@.cell_id_parts(source, dimensions),
        CASE WHEN nm > 0 THEN 'coalesce(pg_catalog.sum(pg_catalog.hash_array_extended(src.exlink_vals, 0)), 0)' ELSE '0::numeric' END,
        dim_text,
        pg_catalog.format('(%s)::text || %L || pg_catalog.jsonb_build_array(%s)::text', level_expr, ':', dim_list),
        means_text || CASE WHEN nm > 0 THEN pg_catalog.format(', @extschema@.moments(src.exlink_vals, src.exlink_member, %s)::text', k) ELSE '' END,
        sets,
        CASE WHEN rollup
             THEN pg_catalog.format('CASE WHEN g.level > 0 THEN (g.level - 1) || %L || pg_catalog.array_to_string(g.key_parts[1:g.level - 1] || pg_catalog.array_fill(%L::text, ARRAY[%s - g.level + 1]), %L) END',
                                    ':', '*', nd, ',')
             ELSE pg_catalog.format('CASE WHEN g.level = %s THEN %L END', nd,
                                    '0:' || pg_catalog.array_to_string(pg_catalog.array_fill('*'::text, ARRAY[nd]), ','))
        END,
        cell_sets, dim_list, coalesce(results, 'NULL::jsonb'));
END
$fn$;
COMMENT ON FUNCTION @extschema@.refresh_query(regclass, name, name[], name[], integer, boolean, text) IS
    'The SELECT exlink.refresh runs: every cell (figures as text, members, rows, and the results of results tables from the SQL of exlink.results_select) and every member of every cell (rows, digest), in one snapshot.';

-- The release of one publication's cells (the guard of publish and refresh).  SECURITY
-- INVOKER, like publish: EXECUTE stays granted to PUBLIC, since it needs the custodian's
-- privileges on the source and on released_cells and release_ledger to do anything.  Writes
-- released_cells and release_ledger; returns how many cells were released with new figures,
-- left unchanged, held back with their last figures, and hidden.
CREATE FUNCTION @extschema@.release_cells(
    release_key text,
    source regclass,
    member_column name,
    dimensions name[],
    measures name[],
    k integer,
    share_limit float8,
    rollup boolean,
    OUT released integer, OUT unchanged integer, OUT held integer, OUT hidden integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    nd integer := coalesce(pg_catalog.array_length(dimensions, 1), 0);
    kk integer := GREATEST(k, @extschema@.min_group_size());
    shown_level integer;
    level_ids text[];
    delta_ids text[];
BEGIN
    shown_level := CASE WHEN rollup THEN NULL ELSE nd END;
    IF pg_catalog.to_regclass('pg_temp.exlink_refresh_rows') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_refresh_rows;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.exlink_refresh_cells') IS NOT NULL THEN
        DROP TABLE pg_temp.exlink_refresh_cells;
    END IF;
    EXECUTE 'CREATE TEMP TABLE exlink_refresh_rows ON COMMIT DROP AS '
        || @extschema@.refresh_query(source, member_column, dimensions, measures, kk, rollup,
                                     @extschema@.results_select(release_key, measures));
    ANALYZE pg_temp.exlink_refresh_rows;

    -- Per cell: now (figures, members, largest member share) and since its last release.
    CREATE TEMP TABLE exlink_refresh_cells ON COMMIT DROP AS
    WITH cur AS (
        SELECT r.cell_id, r.parent_id, r.level, r.members, r.responses, r.figures, r.results
          FROM pg_temp.exlink_refresh_rows r WHERE NOT r.per_member),
    mem AS (
        SELECT r.cell_id, r.member, r.responses, r.digest
          FROM pg_temp.exlink_refresh_rows r WHERE r.per_member),
    top AS (
        SELECT mem.cell_id, pg_catalog.max(mem.responses) AS top FROM mem GROUP BY mem.cell_id),
    old AS (
        SELECT l.cell_id, l.member, l.responses, l.digest
          FROM @extschema@.release_ledger l WHERE l.release_key = release_cells.release_key),
    changed AS (
        SELECT coalesce(mem.cell_id, old.cell_id) AS cell_id, pg_catalog.count(*) AS changed
          FROM mem FULL JOIN old ON old.cell_id = mem.cell_id AND old.member = mem.member
         WHERE mem.responses IS DISTINCT FROM old.responses OR mem.digest IS DISTINCT FROM old.digest
         GROUP BY 1),
    prev AS (
        SELECT rc.cell_id, rc.parent_id, rc.level, rc.members, rc.figures[nd + 2] AS cell, rc.basis_shown
          FROM @extschema@.released_cells rc
         WHERE rc.release_key = release_cells.release_key)
    SELECT coalesce(cur.cell_id, prev.cell_id) AS cell_id,
           coalesce(cur.figures[nd + 2], prev.cell) AS cell,
           coalesce(cur.parent_id, prev.parent_id) AS parent_id,
           coalesce(cur.level, prev.level) AS level,
           cur.cell_id IS NOT NULL AS present,
           prev.cell_id IS NOT NULL AND prev.basis_shown AS was_released,
           prev.cell_id IS NOT NULL AND NOT prev.basis_shown AS hidden_basis,
           coalesce(cur.members, 0) AS members,
           cur.figures,
           cur.results,
           top.top::float8 / NULLIF(cur.responses, 0) AS share,
           coalesce(changed.changed, 0) AS changed
      FROM cur
      FULL JOIN prev ON prev.cell_id = cur.cell_id
      LEFT JOIN top ON top.cell_id = cur.cell_id
      LEFT JOIN changed ON changed.cell_id = coalesce(cur.cell_id, prev.cell_id);
    -- Complementary suppression works on the displayed keys (its tie-breaks order them as
    -- publications always have); the parent's is found by cell_id, i.e. by the types' equality.
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN parent text;
    UPDATE pg_temp.exlink_refresh_cells c SET parent = p.cell
      FROM pg_temp.exlink_refresh_cells p WHERE p.cell_id = c.parent_id;

    -- What analysts hold across releases.  A cell shown before and unchanged since (known) shows
    -- the same figures again and cannot be a complement: hiding figures already public protects
    -- nothing.  A cell hidden at an earlier release (hidden_basis) stays hidden in this
    -- publication (sticky): its figures then are in that release's totals, and showing it later,
    -- with the changes later releases disclose (a parent's difference), would give them, and with
    -- them a small group by subtraction (test/sql/security_refresh.sql: shifting complements).
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN known boolean, ADD COLUMN sticky boolean;
    UPDATE pg_temp.exlink_refresh_cells c
       SET known = c.present AND c.was_released AND c.changed = 0,
           sticky = c.present AND c.hidden_basis;

    -- The levels now: each present cell on its own (k, dominance; sticky cells suppressed), then
    -- complementary suppression along the hierarchy, never picking a known cell as a complement.
    SELECT pg_catalog.array_agg(c.cell_id) INTO level_ids
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.cell = ANY ((SELECT @extschema@.suppress_cells(pg_catalog.array_agg(x.cell), pg_catalog.array_agg(x.parent),
                                     pg_catalog.array_agg(x.members),
                                     pg_catalog.array_agg(NOT x.sticky AND @extschema@.release_status(x.members, kk, x.share, NULL, share_limit) = 'ok'),
                                     kk, pg_catalog.array_agg(x.known))
                            FROM pg_temp.exlink_refresh_cells x WHERE x.present)::text[])
       AND c.present;
    level_ids := coalesce(level_ids, '{}');

    -- The changes: a cell's new figures may replace its last release when the level pass allows
    -- the cell and the release decision allows its change (0 or at least k changed members);
    -- then complementary suppression over the changes (members = changed members), so that no
    -- change held back can be derived from released changes of its parent and siblings.  A cell
    -- gone from the source counts as a released change (its absence is visible), and so does a
    -- change of 0 members (hidden cells included: their ledger holds their rows when hidden, so
    -- an unchanged hidden cell no longer passes for a change that covers others).
    SELECT pg_catalog.array_agg(c.cell_id) INTO delta_ids
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.cell = ANY ((SELECT @extschema@.suppress_cells(pg_catalog.array_agg(x.cell), pg_catalog.array_agg(x.parent),
                                     pg_catalog.array_agg(x.changed),
                                     pg_catalog.array_agg(CASE WHEN NOT x.present OR x.changed = 0 THEN true
                                                               ELSE x.cell_id = ANY (level_ids)
                                                                    AND @extschema@.release_status(x.members, kk, x.share, x.changed, share_limit) = 'ok' END), kk)
                            FROM pg_temp.exlink_refresh_cells x)::text[]);
    delta_ids := coalesce(delta_ids, '{}');

    -- Each cell's outcome: new figures (released), the same figures (unchanged), its last shown
    -- figures while a change waits (held), or not shown (hidden; a cell hidden for the first time
    -- gets its current rows as its basis, and stays hidden).
    ALTER TABLE pg_temp.exlink_refresh_cells ADD COLUMN outcome text;
    UPDATE pg_temp.exlink_refresh_cells c
       SET outcome = CASE
           WHEN NOT c.present THEN 'gone'
           WHEN c.cell_id = ANY (level_ids) AND c.cell_id = ANY (delta_ids) AND (c.changed > 0 OR NOT c.was_released) THEN 'released'
           WHEN c.cell_id = ANY (level_ids) AND c.was_released AND c.changed = 0 THEN 'unchanged'
           WHEN c.cell_id = ANY (level_ids) AND c.was_released THEN 'held'
           ELSE 'hidden' END;
    SELECT pg_catalog.count(*) FILTER (WHERE c.outcome = 'released'),
           pg_catalog.count(*) FILTER (WHERE c.outcome = 'unchanged'),
           pg_catalog.count(*) FILTER (WHERE c.outcome = 'held'),
           pg_catalog.count(*) FILTER (WHERE c.outcome IN ('hidden', 'gone') AND (c.was_released OR c.hidden_basis))
      INTO released, unchanged, held, hidden
      FROM pg_temp.exlink_refresh_cells c;

    -- New figures, and cells hidden for the first time (their rows then, never shown; sticky
    -- from now on): the rows and the ledger of both.
    INSERT INTO @extschema@.released_cells AS rc (release_key, cell_id, parent_id, level, members, figures, shown, released_at, held_since, pending_members, results, basis_shown)
    SELECT release_cells.release_key, c.cell_id, c.parent_id, c.level, c.members, c.figures,
           c.outcome = 'released' AND (shown_level IS NULL OR c.level = shown_level), pg_catalog.now(), NULL, 0,
           c.results, c.outcome = 'released'
      FROM pg_temp.exlink_refresh_cells c
     WHERE c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)
    ON CONFLICT ON CONSTRAINT released_cells_pkey DO UPDATE
       SET parent_id = excluded.parent_id, level = excluded.level, members = excluded.members,
           figures = excluded.figures, shown = excluded.shown, released_at = excluded.released_at,
           held_since = NULL, pending_members = 0, results = excluded.results, basis_shown = excluded.basis_shown;
    DELETE FROM @extschema@.release_ledger l
     USING pg_temp.exlink_refresh_cells c
     WHERE l.release_key = release_cells.release_key AND l.cell_id = c.cell_id
       AND (c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)) AND c.changed > 0;
    INSERT INTO @extschema@.release_ledger (release_key, cell_id, member, responses, digest)
    SELECT release_cells.release_key, r.cell_id, r.member, r.responses, r.digest
      FROM pg_temp.exlink_refresh_rows r
      JOIN pg_temp.exlink_refresh_cells c ON c.cell_id = r.cell_id
     WHERE r.per_member AND (c.outcome = 'released' OR (c.outcome = 'hidden' AND NOT c.hidden_basis)) AND c.changed > 0;
    -- Unchanged cells: shown with the figures they had (the same rows; even when complementary
    -- suppression of the changes picked them, showing them again shows nothing new), and the
    -- results of those same rows for a results table published since (results already
    -- released stay as they were: recomputed, they could differ in the last bits).
    UPDATE @extschema@.released_cells rc
       SET shown = shown_level IS NULL OR rc.level = shown_level, held_since = NULL, pending_members = 0,
           results = CASE WHEN c.results IS NULL THEN rc.results ELSE c.results || coalesce(rc.results, '{}') END
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id AND c.outcome = 'unchanged';
    -- Held back: the last release stays (shown), the change waits.
    UPDATE @extschema@.released_cells rc
       SET shown = shown_level IS NULL OR rc.level = shown_level,
           held_since = coalesce(rc.held_since, pg_catalog.now()), pending_members = c.changed
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id AND c.outcome = 'held';
    -- Hidden before (sticky), or gone from the source: not shown, the basis and its ledger kept
    -- (a gone cell's next release is compared with what analysts saw last).
    UPDATE @extschema@.released_cells rc
       SET shown = false, pending_members = c.changed
      FROM pg_temp.exlink_refresh_cells c
     WHERE rc.release_key = release_cells.release_key AND rc.cell_id = c.cell_id
       AND (c.outcome = 'gone' OR (c.outcome = 'hidden' AND c.hidden_basis));
    DROP TABLE pg_temp.exlink_refresh_rows;
    DROP TABLE pg_temp.exlink_refresh_cells;
END
$fn$;
COMMENT ON FUNCTION @extschema@.release_cells(text, regclass, name, name[], name[], integer, float8, boolean) IS
    'Custodian only: the guard of publish and refresh: recompute a materialized publication''s cells and release each as the release decision allows (k, dominance, change since its last release; complementary suppression of levels and changes), writing released_cells and release_ledger.';

-- The columns of a publication, typed, from a figures text[] column of alias r: the dimensions
-- (the source's types and collations), level, cell, responses, members, mean_<measure>, moments.
CREATE FUNCTION @extschema@.typed_figures(source regclass, dimensions name[], measures name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH cols(o, expr) AS (
        SELECT t.o, pg_catalog.format('(r.figures[%s])::%s%s AS %I', t.o, pg_catalog.format_type(a.atttypid, a.atttypmod),
                                      CASE WHEN a.attcollation <> 0 AND a.attcollation <> 'pg_catalog.default'::pg_catalog.regcollation
                                           THEN ' COLLATE ' || a.attcollation::pg_catalog.regcollation::text ELSE '' END,
                                      t.d)
          FROM pg_catalog.unnest(dimensions) WITH ORDINALITY AS t(d, o)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = source AND a.attname = t.d
        UNION ALL
        SELECT n + x.o, pg_catalog.format('(r.figures[%s])::%s AS %I', n + x.o, x.typ, x.col)
          FROM (SELECT coalesce(pg_catalog.array_length(dimensions, 1), 0) AS n) nd,
               LATERAL (SELECT * FROM (VALUES (1, 'integer', 'level'), (2, 'text', 'cell'), (3, 'bigint', 'responses'), (4, 'bigint', 'members')) v(o, typ, col)
                        UNION ALL
                        SELECT 4 + m.o, 'double precision', 'mean_' || m.m FROM pg_catalog.unnest(measures) WITH ORDINALITY AS m(m, o)
                        UNION ALL
                        SELECT 5 + coalesce(pg_catalog.array_length(measures, 1), 0), '@extschema@.moments', 'moments'
                         WHERE coalesce(pg_catalog.array_length(measures, 1), 0) > 0) x)
    SELECT pg_catalog.string_agg(cols.expr, ', ' ORDER BY cols.o) FROM cols
$fn$;
COMMENT ON FUNCTION @extschema@.typed_figures(regclass, name[], name[]) IS
    'SQL select list of a publication''s columns cast to their types from the text[] figures of alias r.';

-- The definition of a materialized publication: its shown cells in released_cells.
CREATE FUNCTION @extschema@.released_query(release_key text, source regclass, dimensions name[], measures name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT pg_catalog.format('SELECT %s FROM @extschema@.released_cells AS r WHERE r.release_key = %L AND r.shown ORDER BY r.level, r.figures[%s] COLLATE "C"',
                             @extschema@.typed_figures(source, dimensions, measures), release_key,
                             coalesce(pg_catalog.array_length(dimensions, 1), 0) + 2)
$fn$;
COMMENT ON FUNCTION @extschema@.released_query(text, regclass, name[], name[]) IS
    'The SELECT of a materialized publication: the shown cells of exlink.released_cells for release_key, each column cast to its type.';

-- Rebuilds a publication made by exlink 0.1.0 (a materialized view computing its cells) over
-- released_cells, keeping its name, owner, privileges and comment; returns the new relation.
CREATE FUNCTION @extschema@.rebuild_publication(publication regclass, release_key text)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    target text := publication::text;
    rel name;
    owner name;
    acl aclitem[];
    note text := pg_catalog.obj_description(publication, 'pg_class');
    obj regclass;
    g record;
BEGIN
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner), c.relacl INTO rel, owner, acl
      FROM pg_catalog.pg_class c WHERE c.oid = publication;
    BEGIN
        EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s', target);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE EXCEPTION 'publication % made by exlink 0.1.0 cannot be rebuilt for the refresh guard', target
            USING ERRCODE = '2BP01',
            DETAIL = 'Other objects depend on it; its definition must become one over exlink.released_cells.',
            HINT = 'Drop the dependent views, run exlink.refresh once, and create them again.';
    END;
    EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s', target,
                              @extschema@.released_query(release_key, p.source, p.dimensions, p.measures));
    obj := pg_catalog.to_regclass(target);
    EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell)', pg_catalog.left(rel, 50) || '_cell', target);
    IF owner <> CURRENT_USER THEN
        EXECUTE pg_catalog.format('ALTER MATERIALIZED VIEW %s OWNER TO %I', target, owner);
    END IF;
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOR g IN SELECT DISTINCT pg_catalog.pg_get_userbyid(a.grantee) AS who
               FROM pg_catalog.aclexplode(acl) a
              WHERE a.privilege_type = 'SELECT' AND a.grantee <> 0 AND a.grantee <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = owner) LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, g.who);
    END LOOP;
    IF note IS NOT NULL THEN
        EXECUTE pg_catalog.format('COMMENT ON MATERIALIZED VIEW %s IS %L', target, note);
    END IF;
    UPDATE @extschema@.publications pub SET object = obj, release_key = rebuild_publication.release_key
     WHERE pub.object = publication;
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.rebuild_publication(regclass, text) IS
    'Custodian only (used by exlink.refresh): rebuild a materialized publication made by exlink 0.1.0 over exlink.released_cells, keeping its name, owner, SELECT grants and comment.';

CREATE FUNCTION @extschema@.refresh(publication regclass,
    OUT released integer, OUT unchanged integer, OUT held integer, OUT hidden integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    owner oid;
    key text;
BEGIN
    IF publication IS NULL THEN
        RAISE EXCEPTION 'publication cannot be null' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an exlink publication', publication USING ERRCODE = '22023';
    END IF;
    IF p.kind = 'live' THEN
        RAISE EXCEPTION '% is a live publication: it has no refresh', publication USING ERRCODE = '22023',
            DETAIL = 'A live publication computes its cells when it is read; it is current, never held back.';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = publication;
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of publication %', publication USING ERRCODE = '42501';
    END IF;

    IF p.release_key IS NULL THEN
        -- Made by exlink 0.1.0 (it computes its cells itself): its first guarded release is this
        -- one, and it is rebuilt over released_cells.
        key := pg_catalog.gen_random_uuid()::text;
        SELECT * INTO released, unchanged, held, hidden
          FROM @extschema@.release_cells(key, p.source, p.member_column, p.dimensions, p.measures, p.k,
                                         p.max_member_share, p.rollup);
        PERFORM @extschema@.rebuild_publication(publication, key);
        RETURN;
    END IF;

    SELECT * INTO released, unchanged, held, hidden
      FROM @extschema@.release_cells(p.release_key, p.source, p.member_column, p.dimensions, p.measures, p.k,
                                     p.max_member_share, p.rollup);
    PERFORM @extschema@.refresh_released(publication);
    -- Its results tables show what was just released with the cells.
    PERFORM @extschema@.refresh_released(rt.object)
       FROM @extschema@.result_tables rt
      WHERE rt.publication = refresh.publication
        AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rt.object);
END
$fn$;
COMMENT ON FUNCTION @extschema@.refresh(regclass) IS
    'Custodian (owner) only: refresh a materialized publication through the guard: each cell gets its new figures only when the change since its last release covers 0 or at least k members (and k, dominance and complementary suppression allow it); otherwise it keeps its last figures. Returns the cells released, unchanged, held back and hidden.';
REVOKE ALL ON FUNCTION @extschema@.refresh(regclass) FROM PUBLIC;

CREATE FUNCTION @extschema@.refresh_released(publication regclass) RETURNS void
    LANGUAGE c VOLATILE STRICT
    AS 'MODULE_PATHNAME', 'exlink_refresh_released';
COMMENT ON FUNCTION @extschema@.refresh_released(regclass) IS
    'Custodian only (used by exlink.refresh): REFRESH MATERIALIZED VIEW (CONCURRENTLY when populated) of a publication from released_cells, past the guard that routes a plain REFRESH to exlink.refresh.';

-- Spearman with a member: clustered by member on the ranks (issue 12's rule, found later).
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8) IS
    'Spearman rank correlation (average ranks for ties) with t-approximation p and a Fisher-z interval; holds all pairs (24 bytes a row).';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text) IS
    'Guarded Spearman rank correlation with cluster-robust (CR1, by member, on the ranks) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8) IS
    'Guarded Spearman rank correlation with cluster-robust inference, the interval at a confidence level in (0, 1).';

CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: add a (cx, ex) pair and its member to a rank state, with a confidence level and the inference asked for.';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text) IS 'Aggregate support: guarded Spearman correlation with the inference asked for, from a rank state.';
CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8, member text, level float8, inference text) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8, text) IS
    'Guarded Spearman rank correlation with the interval at a level and the inference asked for: ''cluster'' (cluster-robust CR1 by member on the ranks, the default of the member forms) or ''independent'' (rows independent).';

-- ---- BI (issue 13): results tables (exlink.publish_results), released with the cells ----------
-- released_cells gains results (above); refresh_query, release_cells, refresh, unpublish and
-- audit_view know results tables.
-- part: sql/parts/67_results.sql
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
    statistic text NOT NULL CHECK (statistic IN ('drivers', 'correlations')),
    outcome name NOT NULL,
    drivers name[] NOT NULL,
    result_key text NOT NULL UNIQUE,
    grantees name[] NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.result_tables IS
    'Registry of results tables made by exlink.publish_results (object, its publication, the statistic, outcome and drivers, who and when).';
COMMENT ON COLUMN @extschema@.result_tables.object IS 'The results table (a materialized view).';
COMMENT ON COLUMN @extschema@.result_tables.publication IS 'The materialized publication whose released cells the results describe.';
COMMENT ON COLUMN @extschema@.result_tables.statistic IS '''drivers'' (one row per cell and driver: the key-driver model) or ''correlations'' (one row per cell and pair outcome-driver).';
COMMENT ON COLUMN @extschema@.result_tables.outcome IS 'The outcome measure (CX), one of the publication''s measures.';
COMMENT ON COLUMN @extschema@.result_tables.drivers IS 'The driver measures (EX), in order, among the publication''s measures.';
COMMENT ON COLUMN @extschema@.result_tables.result_key IS 'Key of the results in exlink.released_cells.results.';
COMMENT ON COLUMN @extschema@.result_tables.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.result_tables.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.result_tables.published_at IS 'When it was published.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result_tables', '');
-- Which results tables exist is read by every refresh (exlink.results_select), audit and unpublish,
-- so a custodian granted only what exlink 0.1.0 needed (publications, released_cells,
-- release_ledger) keeps refreshing after the update: the columns that name objects are readable
-- by PUBLIC (names, no figures, as in exlink.protected_columns); who published and to whom are not.
REVOKE ALL ON @extschema@.result_tables FROM PUBLIC;
GRANT SELECT (object, publication, statistic, outcome, drivers, result_key) ON @extschema@.result_tables TO PUBLIC;

-- The SQL (inside exlink.refresh_query's grouped query over src, whose exlink_vals are the
-- publication's measures) of a cell's results: a jsonb object holding, per results table of
-- the publication, the text of its driver model or of its correlations; NULL without any.
CREATE FUNCTION @extschema@.results_select(release_key text, measures name[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t record;
    o integer;
    idx integer[];
    parts text[] := '{}';
BEGIN
    FOR t IN SELECT rt.statistic, rt.outcome, rt.drivers, rt.result_key
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
        parts := parts || pg_catalog.format('%L, (%s)::text', t.result_key,
            CASE t.statistic
            WHEN 'drivers' THEN
                pg_catalog.format('@extschema@.driver_weights(src.exlink_vals[%s], ARRAY[%s]::float8[], src.exlink_member, %L::text[])',
                                  o, (SELECT pg_catalog.string_agg(pg_catalog.format('src.exlink_vals[%s]', i), ', ') FROM pg_catalog.unnest(idx) AS i),
                                  t.drivers::text[])
            ELSE
                pg_catalog.format('ARRAY[%s]::@extschema@.correlation[]',
                                  (SELECT pg_catalog.string_agg(pg_catalog.format('@extschema@.linked_correlation(src.exlink_vals[%s], src.exlink_vals[%s], src.exlink_member)', o, i), ', ')
                                     FROM pg_catalog.unnest(idx) AS i))
            END);
    END LOOP;
    IF pg_catalog.cardinality(parts) = 0 THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.cardinality(parts) > 50 THEN
        RAISE EXCEPTION 'a publication can have at most 50 results tables' USING ERRCODE = '54000';
    END IF;
    RETURN 'pg_catalog.jsonb_build_object(' || pg_catalog.array_to_string(parts, ', ') || ')';
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
           ($1).r2, ($1).adj_r2, ($1).clusters, ($1).df,
           CASE WHEN $1 IS NULL THEN NULL WHEN w.withheld AND ($1).inference IS NOT NULL THEN w.why ELSE ($1).inference END,
           CASE WHEN $1 IS NULL THEN 'pending: the cell was held back before this results table existed' ELSE ($1).status END
      FROM w
     CROSS JOIN pg_catalog.unnest($3) WITH ORDINALITY AS n(driver, ordinal)
      LEFT JOIN pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, ordinal) ON d.ordinal = n.ordinal
     ORDER BY n.ordinal
$fn$;
COMMENT ON FUNCTION @extschema@.driver_results(@extschema@.driver_model, name, text[], bigint) IS
    'The rows of one cell of a drivers results table: per driver the standardized beta, its clustered standard error, 95% interval and p (withheld below 2(q + 2) members), relative weight, LMG and their shares, rank, R², clusters, df, inference, status.';

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
           c.clusters, c.df,
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
    'The rows of one cell of a correlations results table: per driver the correlation r with the outcome, its clustered 95% interval and p (withheld below 6 members), clusters, df, inference, status.';

-- The definition of a results table: per shown cell of its publication, the dimensions (typed),
-- level, cell, responses and members (exact distinct members of the cell), then the results.
CREATE FUNCTION @extschema@.results_query(result_key text, publication regclass, statistic text, outcome name, drivers name[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
    nd integer;
BEGIN
    SELECT pub.source, pub.dimensions, pub.release_key INTO p FROM @extschema@.publications pub WHERE pub.object = publication;
    IF NOT FOUND OR p.release_key IS NULL THEN
        RAISE EXCEPTION '% is not a materialized exlink publication released by exlink.refresh', publication USING ERRCODE = '22023';
    END IF;
    IF statistic IS NULL OR statistic NOT IN ('drivers', 'correlations') THEN
        RAISE EXCEPTION 'statistic must be ''drivers'' or ''correlations''' USING ERRCODE = '22023';
    END IF;
    nd := pg_catalog.array_length(p.dimensions, 1);
    RETURN pg_catalog.format(
        'SELECT %s, x.* FROM @extschema@.released_cells AS r CROSS JOIN LATERAL @extschema@.%s((r.results OPERATOR(pg_catalog.->>) %L)::%s, %L::name, %L::text[], (r.figures[%s])::bigint) AS x WHERE r.release_key = %L AND r.shown ORDER BY r.level, r.figures[%s] COLLATE "C", x.ordinal',
        @extschema@.typed_figures(p.source, p.dimensions, '{}'),
        CASE statistic WHEN 'drivers' THEN 'driver_results' ELSE 'correlation_results' END,
        result_key,
        CASE statistic WHEN 'drivers' THEN '@extschema@.driver_model' ELSE '@extschema@.correlation[]' END,
        outcome, drivers::text[], nd + 4, p.release_key, nd + 2);
END
$fn$;
COMMENT ON FUNCTION @extschema@.results_query(text, regclass, text, name, name[]) IS
    'The SELECT of a results table: per shown cell of its publication, the cell''s columns (dimensions, level, cell, responses, members) and its released results (key result_key), one row per driver.';

CREATE FUNCTION @extschema@.publish_results(
    results text,
    publication regclass,
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
    parts text[];
    target text;
    owner oid;
    obj regclass;
    r name;
    key text := pg_catalog.gen_random_uuid()::text;
    pub_name text;
    nq integer := coalesce(pg_catalog.array_length(drivers, 1), 0);
BEGIN
    IF results IS NULL OR publication IS NULL OR outcome IS NULL OR drivers IS NULL OR statistic IS NULL OR grant_to IS NULL THEN
        RAISE EXCEPTION 'exlink.publish_results arguments cannot be null' USING ERRCODE = '22023';
    END IF;
    IF statistic NOT IN ('drivers', 'correlations') THEN
        RAISE EXCEPTION 'statistic must be ''drivers'' or ''correlations''' USING ERRCODE = '22023';
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
    BEGIN
        parts := pg_catalog.parse_ident(results);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid results table name' USING ERRCODE = '22023',
            DETAIL = 'The name must be schema.name, with double quotes around unusual identifiers.';
    END;
    IF pg_catalog.array_length(parts, 1) <> 2 THEN
        RAISE EXCEPTION 'results table name must be schema.name' USING ERRCODE = '22023', HINT = 'Write schema.name.';
    END IF;
    target := pg_catalog.format('%I.%I', parts[1], parts[2]);
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
    EXECUTE pg_catalog.format('CREATE MATERIALIZED VIEW %s AS %s WITH NO DATA', target,
                              @extschema@.results_query(key, publication, statistic, outcome, drivers));
    obj := pg_catalog.to_regclass(target);
    INSERT INTO @extschema@.result_tables (object, publication, statistic, outcome, drivers, result_key, grantees)
    VALUES (obj, publication, statistic, outcome, drivers, key, grant_to);
    EXECUTE pg_catalog.format('CREATE UNIQUE INDEX %I ON %s (cell, ordinal)', pg_catalog.left(parts[2], 50) || '_row', target);
    PERFORM @extschema@.refresh(publication);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    FOREACH r IN ARRAY grant_to LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', target, r);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON MATERIALIZED VIEW %s IS %L', target,
        pg_catalog.format('exlink results (%s) of %s: %s on %s, released with its cells', statistic, publication, outcome,
                          pg_catalog.array_to_string(drivers, ', ')));
    RETURN obj;
END
$fn$;
COMMENT ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[]) IS
    'Custodian (publication owner) only: publish a flat results table of a materialized publication: per released cell, one row per driver of the key-driver model of outcome on drivers (statistic ''drivers'') or of its correlation with the outcome (''correlations''), clustered by member; refreshes the publication through the guard (exlink.refresh); refreshed by exlink.refresh with it.';
REVOKE ALL ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[]) FROM PUBLIC;
