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

-- include: sql/parts/61_suppression.sql or-replace

-- include: sql/parts/62_publish_query.sql

-- Driver prioritization under uncertainty (issue 12, item 5).
-- include: sql/parts/32_priority.sql

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
-- include: sql/parts/66_split_members.sql

-- audit_view: the member forms with an inference argument are guards; views that read only
-- publications or results tables are guarded.
-- include: sql/parts/64_audit.sql or-replace

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

-- include: sql/parts/63_publish.sql or-replace

-- include: sql/parts/65_refresh.sql

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
-- include: sql/parts/67_results.sql
