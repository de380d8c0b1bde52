-- exlink upgrade 0.2.0 -> 0.3.0.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Every change to an SQL object in sql/parts/ since 0.2.0 goes here, so that
-- ALTER EXTENSION exlink UPDATE gives the same catalog as a fresh 0.3.0 install
-- (test/shell/upgrade.sh compares them object by object, from 0.1.0 and from 0.2.0).
-- A line "-- include: sql/parts/NAME.sql" is replaced by that part when the Makefile
-- assembles sql/exlink--0.2.0--0.3.0.sql ("or-replace": its CREATE FUNCTION become
-- CREATE OR REPLACE FUNCTION, for parts that change functions 0.2.0 had).  When 0.3.0 is
-- released, the assembled script is committed and frozen, as sql/exlink--0.1.0--0.2.0.sql is.
\echo Use "ALTER EXTENSION exlink UPDATE TO '0.3.0'" to load this file. \quit

-- ---- issue 23 (first): the registry's period columns, which later sections' functions read ----
ALTER TABLE @extschema@.publications DROP CONSTRAINT publications_kind_check;
ALTER TABLE @extschema@.publications ADD CONSTRAINT publications_kind_check CHECK (kind IN ('materialized', 'live', 'periods'));
ALTER TABLE @extschema@.publications
    ADD COLUMN period text,
    ADD COLUMN period_type regtype,
    ADD COLUMN period_length interval,
    ADD COLUMN grace interval,
    ADD COLUMN base_tables regclass[];
COMMENT ON COLUMN @extschema@.publications.kind IS '''periods'' (a table of the released cells of sealed periods, appended at each seal), ''materialized'' (a snapshot: released cells only) or ''live'' (security_barrier view, on explicit request).';
COMMENT ON COLUMN @extschema@.publications.period IS 'The period expression over the source''s columns (immutable); NULL: a snapshot publication.';
COMMENT ON COLUMN @extschema@.publications.period_type IS 'The type of the period expression (the publication''s period column).';
COMMENT ON COLUMN @extschema@.publications.period_length IS 'How long a period lasts from its start (the period value); NULL: periods are sealed only by exlink.seal.';
COMMENT ON COLUMN @extschema@.publications.grace IS 'How long after its end a period waits for late rows before exlink.refresh seals it.';
COMMENT ON COLUMN @extschema@.publications.base_tables IS 'The tables (and foreign tables) the source reads, through views: publications over one source are found by these, not by the source''s name.';

-- ---- issue 18: small-sample clustered inference (CR2 with Satterthwaite df for models, the
-- delete-one-member jackknife for correlations; CR1 on request), each driver's df ----
-- (before issue 22's include of 67_results.sql, whose driver_results reads the new attribute)
-- Results stored by 0.2.0 (exlink.released_cells.results) hold driver models as text whose
-- drivers have 13 attributes, which no longer parses once exlink.driver has 14: read them with
-- the old type first and write them back with the new one (df NULL, as 0.2.0 had none).
CREATE TEMPORARY TABLE exlink_upgrade_driver_models ON COMMIT DROP AS
SELECT rc.release_key, rc.cell_id, e.key, e.value::@extschema@.driver_model AS model
  FROM @extschema@.released_cells rc, pg_catalog.jsonb_each_text(rc.results) AS e
 WHERE pg_catalog.left(e.value, 1) OPERATOR(pg_catalog.=) '(';
ALTER TYPE @extschema@.driver ADD ATTRIBUTE df float8,
    -- item 5: the unstandardized slope with its interval, the bootstrap intervals of the shares
    ADD ATTRIBUTE b float8, ADD ATTRIBUTE b_se float8, ADD ATTRIBUTE b_ci_low float8, ADD ATTRIBUTE b_ci_high float8,
    ADD ATTRIBUTE relative_weight_share_low float8, ADD ATTRIBUTE relative_weight_share_high float8,
    ADD ATTRIBUTE lmg_share_low float8, ADD ATTRIBUTE lmg_share_high float8;
UPDATE @extschema@.released_cells rc
   SET results = rc.results OPERATOR(pg_catalog.||) u.models
  FROM (SELECT release_key, cell_id, pg_catalog.jsonb_object_agg(key, model::text) AS models
          FROM exlink_upgrade_driver_models GROUP BY release_key, cell_id) u
 WHERE rc.release_key OPERATOR(pg_catalog.=) u.release_key AND rc.cell_id OPERATOR(pg_catalog.=) u.cell_id;
DROP TABLE exlink_upgrade_driver_models;
COMMENT ON TYPE @extschema@.driver IS
    'One driver of a key-driver model: standardized beta, its standard error, t and p; Pratt measure; Johnson relative weight and its share of R² (%); Shapley/LMG value and share (%); rank by LMG (by relative weight when LMG is NULL); 95% interval of the beta; df of its t test (CR2: its own Satterthwaite df); the unstandardized slope b (outcome units per driver unit), its standard error and interval; cluster-bootstrap percentile intervals of the relative-weight and LMG shares (driver_weights with bootstrap draws, else NULL).';
COMMENT ON TYPE @extschema@.driver_model IS
    'A key-driver model: complete rows, skipped rows, distinct members, R², adjusted R², condition number of the driver correlation matrix, suppressed flag, status (''ok'' or why figures are NULL), the drivers, clusters (G of cluster-robust inference, else NULL), df of the t tests (the smallest of the drivers'' df), the inference used, and the covariance matrix of the standardized betas.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text) IS
    'Guarded key-driver analysis with driver names (NULL for x1..xq) and the inference asked for: ''cluster'' (by member: CR2 with Satterthwaite df, the default of the member forms), ''cr1'' (CR1 on G - 1 df) or ''independent''.';
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text) IS
    'Guarded key-driver analysis with cluster-robust (CR2 by member, Satterthwaite df) standard errors: all figures NULL and suppressed = true unless at least exlink.min_group_size distinct members (non-NULL, non-empty) contributed.';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments, text[], text) IS
    'Key-driver analysis of a moments value with driver names (NULL for x1..xq) and the inference asked for (''cluster'', ''cr1'' or ''independent''; a value carries no per-member moments, so clustered inference is CR1).';
COMMENT ON FUNCTION @extschema@.driver_weights(@extschema@.moments) IS
    'Key-driver analysis of a moments value (a published cell or a merge of cells): variable 1 is the outcome, the others the drivers x1..xq; cluster-robust (CR1) when it carries a cluster summary; suppressed when its member lower bound is below exlink.min_group_size.';
CREATE OR REPLACE FUNCTION @extschema@.drivers(m @extschema@.driver_model)
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
           d.ci_low, d.ci_high, ($1).clusters, d.df, ($1).inference
      FROM pg_catalog.unnest(($1).drivers) WITH ORDINALITY
           AS d(name, beta, beta_se, t, p_value, pratt, relative_weight, relative_weight_share,
                lmg, lmg_share, rank, ci_low, ci_high, df, b, b_se, b_ci_low, b_ci_high,
                relative_weight_share_low, relative_weight_share_high, lmg_share_low, lmg_share_high, ordinal)
     ORDER BY d.ordinal
    $$;
COMMENT ON FUNCTION @extschema@.drivers(@extschema@.driver_model) IS
    'One plain row per driver of a key-driver model (in input order, with ordinal), repeating the model''s n, members, R², adjusted R², condition number, suppressed and status; then the beta''s interval, clusters, the df of the driver''s t test and inference.';
COMMENT ON TYPE @extschema@.correlation IS
    'A correlation with inference: n, members (NULL when unknown), r, t, df, two-sided p, Fisher-z interval at level, suppressed, status (ok or why figures are NULL), rows skipped, clusters (distinct members behind cluster-robust inference, else NULL) and the inference used (cluster jackknife, cluster-robust CR1, independent rows, or unavailable: why); clustered, t = atanh(r) / se and the interval share one standard error of atanh(r), so p < 1 - level exactly when the interval excludes 0.';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8, text) IS
    'Guarded Pearson correlation with the interval at a level and the inference asked for: ''cluster'' (delete-one-member jackknife, the default of the member forms), ''cr1'' (CR1 linearization) or ''independent'' (rows independent).';
COMMENT ON FUNCTION @extschema@.linked_correlation(@extschema@.moments, integer, integer, float8, text) IS
    'Pearson correlation between variables i and j of a moments value, interval at a level, with the inference asked for (''cluster'' or ''cr1'': CR1 from the value''s cluster summary, a value has no per-member moments; or ''independent'').';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8, text) IS
    'Guarded Spearman rank correlation with the interval at a level and the inference asked for: ''cluster'' (delete-one-member jackknife on the ranks, the default of the member forms), ''cr1'' (CR1 linearization) or ''independent'' (rows independent).';
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text) IS
    'Guarded Pearson correlation with clustered (delete-one-member jackknife of atanh r) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text) IS
    'Guarded Spearman rank correlation with clustered (delete-one-member jackknife, on the ranks) t, p and interval: all figures NULL and suppressed = true below exlink.min_group_size distinct members.';

-- ---- issue 21: driver groups (exlink.driver_group, exlink.driver_groups, the grouped
-- driver_weights), and the model's groups, means and sds at the end of exlink.driver_model ----
-- Stored models (text of 13 attributes) no longer parse once the type has 16: read them with the
-- type as issue 18 left it, write them back after (groups, means and sds NULL).
CREATE TEMPORARY TABLE exlink_upgrade_driver_models ON COMMIT DROP AS
SELECT rc.release_key, rc.cell_id, e.key, e.value::@extschema@.driver_model AS model
  FROM @extschema@.released_cells rc, pg_catalog.jsonb_each_text(rc.results) AS e
 WHERE pg_catalog.left(e.value, 1) OPERATOR(pg_catalog.=) '(';
-- include: sql/parts/31_driver_groups.sql
UPDATE @extschema@.released_cells rc
   SET results = rc.results OPERATOR(pg_catalog.||) u.models
  FROM (SELECT release_key, cell_id, pg_catalog.jsonb_object_agg(key, model::text) AS models
          FROM exlink_upgrade_driver_models GROUP BY release_key, cell_id) u
 WHERE rc.release_key OPERATOR(pg_catalog.=) u.release_key AND rc.cell_id OPERATOR(pg_catalog.=) u.cell_id;
DROP TABLE exlink_upgrade_driver_models;
-- results tables of the key driver map (statistic 'driver_map'; their rows: 70_driver_map.sql, last)
ALTER TABLE @extschema@.result_tables DROP CONSTRAINT result_tables_statistic_check;
ALTER TABLE @extschema@.result_tables ADD CONSTRAINT result_tables_statistic_check CHECK (statistic IN ('drivers', 'correlations', 'driver_map'));
COMMENT ON COLUMN @extschema@.result_tables.statistic IS '''drivers'' (one row per cell and driver: the key-driver model), ''correlations'' (one row per cell and pair outcome-driver) or ''driver_map'' (one row per cell and driver: importance, performance, quadrant and gain).';
-- the map's share favourable: the registry's cut (publish_results' new argument favourable: its
-- new signature is made by 67_results.sql's include, the 0.2.0 one dropped by "issue 18
-- bootstrap/speed" below)
ALTER TABLE @extschema@.result_tables ADD COLUMN favourable float8;
GRANT SELECT (favourable) ON @extschema@.result_tables TO PUBLIC;
COMMENT ON COLUMN @extschema@.result_tables.favourable IS 'driver_map only: the cut at or above which a row''s driver value is favourable (the performance is then the share of the cell''s rows at or above it, e.g. 4 on a 1-5 scale: top-2-box); NULL: the performance is the driver''s mean.';

-- ---- issue 18 (item 5): driver_weights with bootstrap intervals of the importance shares
-- (the driver type's new attributes were added with df above, before stored models are
-- re-rendered) ----
-- include: sql/parts/33_driver_bootstrap.sql
-- (issue 18 bootstrap/speed) the registry says a drivers results table's draws and seed
-- (before 67_results.sql's functions below: results_fourth_order, a SQL function, reads them)
ALTER TABLE @extschema@.result_tables
    ADD COLUMN bootstrap integer NOT NULL DEFAULT 0 CHECK (bootstrap >= 0),
    ADD COLUMN bootstrap_seed bigint;
COMMENT ON COLUMN @extschema@.result_tables.bootstrap IS 'Cluster-bootstrap draws behind the intervals of the importance shares of a drivers table (0: none).';
COMMENT ON COLUMN @extschema@.result_tables.bootstrap_seed IS 'The seed of those draws (the same for every cell and every release: a cell''s intervals are a function of the seed and its rows); NULL without draws.';
GRANT SELECT (bootstrap, bootstrap_seed) ON @extschema@.result_tables TO PUBLIC;

-- ---- issue 18 (item 3): driver_weights clustered by a coarser unit than the member ----
-- include: sql/parts/34_driver_cluster.sql

-- ---- issue 18 cluster level: rank_correlation with a cluster argument (in 34_driver_cluster.sql,
-- above); its state now carries each pair's cluster ----
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8) IS
    'Spearman rank correlation (average ranks for ties) with t-approximation p and a Fisher-z interval; holds all pairs (32 bytes a row).';

-- ---- issue 18 cluster level: results tables clustered by a dimension of the publication
-- (the registry's cluster column, after bootstrap's; publish_results' new cluster argument
-- comes with 67_results.sql's functions below, the 0.2.0 form is dropped at the end) ----
ALTER TABLE @extschema@.result_tables ADD COLUMN cluster name;
COMMENT ON COLUMN @extschema@.result_tables.cluster IS 'The dimension of the publication the inference is clustered by in cells that span several of its values (e.g. team in a region row); cells with one value, and every cell when NULL, are clustered by member.';
GRANT SELECT (cluster) ON @extschema@.result_tables TO PUBLIC;

-- ---- issue 22: one release point per figure, fail-closed ----
-- release_status takes counts (rows and largest member's rows, the change's), the published
-- variables, and effective_min_group_size gives its k (both new in 61_suppression.sql);
-- suppress_cells the cells' rows and largest members (dominance of complements): new
-- arguments, so dropped first.
DROP FUNCTION @extschema@.release_status(bigint, integer, float8, bigint, float8);
DROP FUNCTION @extschema@.suppress_cells(text[], text[], bigint[], boolean[], integer, boolean[]);
-- include: sql/parts/61_suppression.sql or-replace
-- include: sql/parts/62_publish_query.sql or-replace
-- include: sql/parts/65_refresh.sql functions
-- the withheld-inference bound over all results tables of a cell (results_fourth_order,
-- withhold_inference, asked by release_cells)
-- include: sql/parts/67_results.sql functions
-- the guarded aggregates refuse a dominated group too (their comments)
COMMENT ON AGGREGATE @extschema@.members_at_least(text, integer) IS
    'True when the group may be released: at least max(k, exlink.min_group_size) distinct non-NULL, non-empty members, none holding more than exlink.max_member_share of the rows; for HAVING.';
COMMENT ON AGGREGATE @extschema@.guarded_avg(float8, text) IS
    'Mean of value over rows with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.guarded_avg(float8, text, integer) IS
    'Guarded mean with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.guarded_count(text) IS
    'Number of rows (responses) with a non-NULL, non-empty member; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.guarded_count(text, integer) IS
    'Guarded row count with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.nps(float8, text) IS
    'Net Promoter Score in points (% promoters 9-10 minus % detractors 0-6) of 0..10 scores; NULL unless at least exlink.min_group_size distinct members contributed, none holding more than exlink.max_member_share of the rows.';
COMMENT ON AGGREGATE @extschema@.nps(float8, text, integer) IS
    'Guarded NPS with a baked-in k: NULL unless at least max(k, exlink.min_group_size) distinct members contributed, none holding more than exlink.max_member_share of the rows.';

-- ---- issue 23: sealed-period publications ----
-- Roles the custodian's documented grants named (EXECUTE on exlink.publish, rights on the
-- registry) keep their workflow: exlink.publish gains arguments (so it is dropped and made
-- again), and the new functions and registry get the same roles.  pg_dump keeps these grants
-- (the last section of this script counts them as granted after the install, not as the
-- extension's own).  (WARNING: an extension script's notices are not shown.)
-- (kept in transaction-local settings: a table made here would become part of the extension)
SELECT pg_catalog.set_config('exlink_upgrade.publishers', coalesce(pg_catalog.string_agg(DISTINCT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)), ','), ''), true)
  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
 WHERE p.oid = '@extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean)'::pg_catalog.regprocedure
   AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner;
SELECT pg_catalog.set_config('exlink_upgrade.registrars', coalesce(pg_catalog.string_agg(DISTINCT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)), ','), ''), true)
  FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
 WHERE c.oid = '@extschema@.publications'::pg_catalog.regclass
   AND a.privilege_type = 'INSERT' AND a.grantee <> 0 AND a.grantee <> c.relowner;
DROP FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean);
DROP FUNCTION @extschema@.publish_query(regclass, name, name[], name[], integer, boolean);
DROP FUNCTION @extschema@.refresh_query(regclass, name, name[], name[], integer, boolean, text);
-- (62_publish_query.sql, 65_refresh.sql's and 67_results.sql's functions: included above)
-- include: sql/parts/63_publish.sql or-replace
-- include: sql/parts/64_audit.sql or-replace
-- include: sql/parts/68_periods.sql
UPDATE @extschema@.publications p SET base_tables = @extschema@.source_tables(p.source) WHERE p.base_tables IS NULL;
DO $up$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT u.who FROM pg_catalog.unnest(pg_catalog.string_to_array(pg_catalog.current_setting('exlink_upgrade.publishers'), ',')) AS u(who) LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval), @extschema@.seal(regclass, text), @extschema@.period_status(regclass), @extschema@.refresh(regclass) TO %s', r.who);
        RAISE WARNING 'exlink: % may publish: granted EXECUTE on the new exlink.publish, exlink.seal, exlink.period_status and exlink.refresh', r.who;
    END LOOP;
    FOR r IN SELECT u.who FROM pg_catalog.unnest(pg_catalog.string_to_array(pg_catalog.current_setting('exlink_upgrade.registrars'), ',')) AS u(who) LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.sealed_periods TO %s', r.who);
        RAISE WARNING 'exlink: % writes the publications registry: granted SELECT, INSERT, UPDATE, DELETE on exlink.sealed_periods', r.who;
        IF NOT pg_catalog.has_table_privilege(r.who::pg_catalog.regrole, '@extschema@.released_cells', 'INSERT')
           OR NOT pg_catalog.has_table_privilege(r.who::pg_catalog.regrole, '@extschema@.release_ledger', 'INSERT') THEN
            RAISE WARNING 'exlink: % cannot publish snapshots (materialized publications without a period) until granted: GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.released_cells, exlink.release_ledger TO %; period publications need no more', r.who, r.who;
        END IF;
    END LOOP;
END
$up$;

-- ---- issue 19: BI (status codes, booleans, integer counts in results tables, coverage, window
-- results, column comments, exlink.catalog); last: its functions read the sections above ----
-- results_query moves to 69_bi.sql (new tables get the 0.3.0 columns); results tables
-- published by 0.2.0 keep their definitions over driver_results and correlation_results.
DROP FUNCTION @extschema@.results_query(text, regclass, text, name, name[]);
-- include: sql/parts/69_bi.sql
-- publish, publish_results and publish_coverage comment the columns of what they publish
-- (exlink.comment_columns; publish and publish_results come with the sections above).
-- The columns of existing publications get their comments now (results tables published by
-- 0.2.0 keep their 0.2.0 columns, which the comments of 0.3.0 would misdescribe).
SELECT @extschema@.comment_columns(p.object, p.object, 'cells')
  FROM @extschema@.publications p
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.object);

-- ---- issue 20: alerts (early warning per unit from released period cells) ----
-- (exlink.seal_periods, in 68_periods.sql above, calls exlink.seal_alerts; publish_results,
-- in 67_results.sql above, hands statistic 'alerts' to exlink.publish_alerts)
-- include: sql/parts/70_alerts.sql

-- ---- issue 21 (last): the key driver map's rows (they read 69_bi.sql's driver_rows) ----
-- include: sql/parts/70_driver_map.sql

-- ---- issue 20/19: exlink.catalog lists alerts tables too (moved after the alerts registry) ----
-- ---- issue 19: integer counts (exlink.cell_count and typed_figures, in 65_refresh.sql's
-- functions above; window views in 68_periods.sql), window views' column comments, and
-- exlink.catalog listing window, window results and coverage views: all in the parts included
-- here.  Publications made by 0.2.0 keep their bigint counts until published again. ----
-- include: sql/parts/80_catalog.sql

-- ---- issue 18 bootstrap/speed: bootstrap intervals of the shares in drivers results tables ----
-- exlink.publish_results gained bootstrap and seed (and favourable, issue 21, and cluster; its new form came with 67_results.sql's
-- functions above): the 0.2.0 form is dropped, and roles that could execute it may execute the
-- new one (made by the update script; pg_dump keeps it: see the last section).
DO $up$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT a.grantee FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
              WHERE p.oid = '@extschema@.publish_results(text, regclass, name, name[], text, name[])'::pg_catalog.regprocedure
                AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) TO %I',
                                  pg_catalog.pg_get_userbyid(r.grantee));
        RAISE WARNING 'exlink: % may publish results: granted EXECUTE on the new exlink.publish_results', pg_catalog.pg_get_userbyid(r.grantee);
    END LOOP;
END
$up$;
DROP FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[]);
REVOKE ALL ON FUNCTION @extschema@.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) FROM PUBLIC;

-- ---- issue 19: snapshot publications and their results tables are tables (information_schema
-- lists them for schema browsers), filled again by exlink.show_released (65_refresh.sql's
-- functions above); those made by 0.2.0 stay materialized views, readable, guarded and refreshed
-- as before (show_released refreshes a materialized view), until published again ----
COMMENT ON COLUMN @extschema@.publications.object IS 'The published relation: a table of released cells (a snapshot, or sealed periods), or a view (live); a snapshot made by exlink 0.2.0 is a materialized view until published again.';
COMMENT ON COLUMN @extschema@.result_tables.object IS 'The results table (a table; one made by exlink 0.2.0 is a materialized view).';

-- ---- red team: inference clustered by a dimension goes through the release decision counted
-- in clusters (release_status' new clusters argument comes with 61_suppression.sql's include,
-- exlink.withhold_clustered and results_select with 67_results.sql's functions include; no
-- 0.2.0 object changes: release_status' 0.2.0 form is dropped above) ----

-- ---- red team follow-up: the df beside each standard error counted in the withheld-inference
-- bound and withheld with it, a driver map's shares favourable withheld where the bound refuses
-- (exlink.results_fourth_order, withhold_inference and correlation_results come with
-- 67_results.sql's functions include, driver_map_rows with 70_driver_map.sql's include: same
-- arguments and results, no 0.2.0 object changes otherwise; results stored by 0.2.0 are withheld
-- again under the new count at their next refresh; the new exlink.withhold_like with that
-- include too, exlink.release_cells with 65_refresh.sql's functions include) ----

-- ---- issue 23 (keep last): the custodian's grants survive pg_dump ----
-- Every GRANT or REVOKE an extension script runs records the object's whole ACL as its initial
-- privileges (pg_init_privs), and pg_dump writes only what differs from those: the grants this
-- update made to the custodian's roles (above), and the custodian's own earlier grants on any
-- object this update granted or revoked on, would be left out of a dump, and the restore's
-- CREATE EXTENSION (a fresh install) does not make them.  A fresh install's initial privileges
-- name only PUBLIC and the owner (the extension creates no roles), so the update keeps those
-- and counts every other role's privileges as granted after the install, as they were: pg_dump
-- then restores them (test/shell/upgrade.sh dumps and restores a custodian's database).
-- Keep this section last: it covers every grant above.
UPDATE pg_catalog.pg_init_privs ip
   SET initprivs = ARRAY(SELECT a.item FROM pg_catalog.unnest(ip.initprivs) AS a(item)
                          WHERE (SELECT x.grantee FROM pg_catalog.aclexplode(ARRAY[a.item]) AS x LIMIT 1)
                                OPERATOR(pg_catalog.=) ANY (ARRAY[0::pg_catalog.oid, o.owner]))
  FROM (SELECT d.classid, d.objid, coalesce(p.proowner, c.relowner, t.typowner, n.nspowner) AS owner
          FROM pg_catalog.pg_depend d
          LEFT JOIN pg_catalog.pg_proc p ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid OPERATOR(pg_catalog.=) d.objid
          LEFT JOIN pg_catalog.pg_class c ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid OPERATOR(pg_catalog.=) d.objid
          LEFT JOIN pg_catalog.pg_type t ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid OPERATOR(pg_catalog.=) d.objid
          LEFT JOIN pg_catalog.pg_namespace n ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass AND n.oid OPERATOR(pg_catalog.=) d.objid
         WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'exlink')
           AND d.deptype OPERATOR(pg_catalog.=) 'e') AS o
 WHERE ip.classoid OPERATOR(pg_catalog.=) o.classid AND ip.objoid OPERATOR(pg_catalog.=) o.objid
   AND ip.privtype OPERATOR(pg_catalog.=) 'e' AND o.owner IS NOT NULL;
