-- exlink: the catalog of what the current role may read (publications, results and alerts tables).
-- SPDX-License-Identifier: GPL-3.0-or-later

-- What the analyst may read, and how it was published (after every registry it lists, alerts
-- tables included): one row per publication and results
-- table the current role can SELECT (no others), with the publication's settings: dimensions,
-- measures (the order of the variables in moments), roll-up, k, the dominance threshold, the
-- period (sealed-period publications), and for a results table its statistic, outcome and
-- drivers.  A plain view, listed by information_schema; security_barrier so that no function of
-- the caller sees a row before the privilege filter.
CREATE VIEW @extschema@.catalog WITH (security_barrier) AS
SELECT p.object, 'publication'::text AS kind, p.object AS publication, NULL::text AS statistic,
       p.dimensions, p.measures, p.rollup, p.k, p.max_member_share,
       pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'period' AS period,
       NULL::name AS outcome, NULL::name[] AS drivers,
       pg_catalog.obj_description(p.object, 'pg_class') AS description
  FROM @extschema@.publications p
 WHERE pg_catalog.has_table_privilege(p.object, 'SELECT')
UNION ALL
SELECT rt.object, 'results', rt.publication, rt.statistic,
       p.dimensions, p.measures, p.rollup, p.k, p.max_member_share,
       pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'period',
       rt.outcome, rt.drivers,
       pg_catalog.obj_description(rt.object, 'pg_class')
  FROM @extschema@.result_tables rt
  JOIN @extschema@.publications p ON p.object = rt.publication
 WHERE pg_catalog.has_table_privilege(rt.object, 'SELECT')
UNION ALL
SELECT a.object, 'results', a.publication, 'alerts',
       p.dimensions, p.measures, p.rollup, p.k, p.max_member_share,
       pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'period',
       a.outcome, a.drivers,
       pg_catalog.obj_description(a.object, 'pg_class')
  FROM @extschema@.alert_tables a
  JOIN @extschema@.publications p ON p.object = a.publication
 WHERE pg_catalog.has_table_privilege(a.object, 'SELECT');
COMMENT ON VIEW @extschema@.catalog IS
    'The publications and results tables the current role may read, with their settings: dimensions, measures (the order of the variables in moments), roll-up, k, dominance threshold, period; for results tables the statistic, outcome and drivers.';
COMMENT ON COLUMN @extschema@.catalog.object IS 'The publication or results table.';
COMMENT ON COLUMN @extschema@.catalog.kind IS '''publication'' or ''results''.';
COMMENT ON COLUMN @extschema@.catalog.publication IS 'The publication (itself, or the one the results table describes).';
COMMENT ON COLUMN @extschema@.catalog.statistic IS 'Results tables: ''drivers'', ''correlations'', ''driver_map'' or ''alerts''.';
COMMENT ON COLUMN @extschema@.catalog.dimensions IS 'The publication''s dimensions, coarsest first (level counts how many a row groups by).';
COMMENT ON COLUMN @extschema@.catalog.measures IS 'The publication''s measures, in the order of the variables of its moments column (1-based).';
COMMENT ON COLUMN @extschema@.catalog.rollup IS 'Whether the publication has subtotal rows (levels below the number of dimensions).';
COMMENT ON COLUMN @extschema@.catalog.k IS 'The minimum number of distinct employees of a published cell.';
COMMENT ON COLUMN @extschema@.catalog.max_member_share IS 'The dominance threshold: the largest share of a cell''s rows one employee may have.';
COMMENT ON COLUMN @extschema@.catalog.period IS 'Sealed-period publications: the period expression; NULL for a snapshot.';
COMMENT ON COLUMN @extschema@.catalog.outcome IS 'Results tables: the outcome.';
COMMENT ON COLUMN @extschema@.catalog.drivers IS 'Results tables: the drivers, in order.';
COMMENT ON COLUMN @extschema@.catalog.description IS 'The object''s comment.';
GRANT SELECT ON @extschema@.catalog TO PUBLIC;
