-- exlink: the catalog of what the current role may read (publications, results and alerts tables).
-- SPDX-License-Identifier: GPL-3.0-or-later

-- What the analyst may read, and how it was published (after every registry it lists, alerts
-- tables included): one row per publication, results table, window view and coverage view the
-- current role can SELECT (no others), with the publication's settings: dimensions, measures
-- (the order of the variables in moments), roll-up, k, the dominance threshold, the period
-- (sealed-period publications), and for a results table its statistic, outcome and drivers.
-- Window views (exlink.publish_window), their results views (publish_window_results) and
-- coverage views (publish_coverage) have no registry: they are the views whose rule reads a
-- publication (a window view, for window results) and that have the columns exlink gives them.
-- A plain view, listed by information_schema; security_barrier so that no function of the
-- caller sees a row before the privilege filter.
CREATE VIEW @extschema@.catalog WITH (security_barrier) AS
WITH reads AS (   -- (view, relation it reads) of every view
    SELECT DISTINCT rw.ev_class AS view, d.refobjid AS rel
      FROM pg_catalog.pg_rewrite rw
      JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                                 AND d.objid OPERATOR(pg_catalog.=) rw.oid
                                 AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                 AND d.refobjid OPERATOR(pg_catalog.<>) rw.ev_class
      JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) rw.ev_class AND v.relkind OPERATOR(pg_catalog.=) 'v'),
cols AS (
    SELECT r.view, r.rel, pg_catalog.array_agg(a.attname) AS names
      FROM reads r JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.view AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
     GROUP BY r.view, r.rel),
derived AS (   -- window and coverage views of a publication
    SELECT c.view, c.rel AS publication,
           CASE WHEN c.names OPERATOR(pg_catalog.@>) '{window_start,window_end,members_at_least,moments}'::name[] THEN 'window' ELSE 'coverage' END AS kind
      FROM cols c JOIN @extschema@.publications p ON p.object OPERATOR(pg_catalog.=) c.rel
     WHERE c.names OPERATOR(pg_catalog.@>) '{window_start,window_end,members_at_least,moments}'::name[]
        OR c.names OPERATOR(pg_catalog.@>) '{level,cell,status,shown,members}'::name[])
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
 WHERE pg_catalog.has_table_privilege(a.object, 'SELECT')
UNION ALL
SELECT d.view::pg_catalog.regclass, d.kind, p.object, NULL::text,
       p.dimensions, p.measures, p.rollup, p.k, p.max_member_share,
       pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'period',
       NULL::name, NULL::name[],
       pg_catalog.obj_description(d.view, 'pg_class')
  FROM derived d
  JOIN @extschema@.publications p ON p.object OPERATOR(pg_catalog.=) d.publication
 WHERE pg_catalog.has_table_privilege(d.view, 'SELECT')
UNION ALL
SELECT c.view::pg_catalog.regclass, 'results', p.object,
       CASE WHEN 'beta' OPERATOR(pg_catalog.=) ANY (c.names) THEN 'drivers' ELSE 'correlations' END,
       p.dimensions, p.measures, p.rollup, p.k, p.max_member_share,
       pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'period',
       NULL::name, NULL::name[],
       pg_catalog.obj_description(c.view, 'pg_class')
  FROM cols c
  JOIN derived d ON d.view OPERATOR(pg_catalog.=) c.rel AND d.kind OPERATOR(pg_catalog.=) 'window'
  JOIN @extschema@.publications p ON p.object OPERATOR(pg_catalog.=) d.publication
 WHERE c.names OPERATOR(pg_catalog.@>) '{window_start,ordinal,driver,status}'::name[]
   AND pg_catalog.has_table_privilege(c.view, 'SELECT');
COMMENT ON VIEW @extschema@.catalog IS
    'The publications, results tables, window views and coverage views the current role may read, with their publication''s settings: dimensions, measures (the order of the variables in moments), roll-up, k, dominance threshold, period; for results tables the statistic, outcome and drivers.';
COMMENT ON COLUMN @extschema@.catalog.object IS 'The publication, results table, window view or coverage view.';
COMMENT ON COLUMN @extschema@.catalog.kind IS '''publication'', ''results'' (results and alerts tables, window results views), ''window'' (exlink.publish_window) or ''coverage'' (exlink.publish_coverage).';
COMMENT ON COLUMN @extschema@.catalog.publication IS 'The publication (itself, or the one the object describes; of a window results view, its window''s).';
COMMENT ON COLUMN @extschema@.catalog.statistic IS 'Results tables: ''drivers'', ''correlations'', ''driver_map'' or ''alerts''.';
COMMENT ON COLUMN @extschema@.catalog.dimensions IS 'The publication''s dimensions, coarsest first (level counts how many a row groups by).';
COMMENT ON COLUMN @extschema@.catalog.measures IS 'The publication''s measures, in the order of the variables of its moments column (1-based).';
COMMENT ON COLUMN @extschema@.catalog.rollup IS 'Whether the publication has subtotal rows (levels below the number of dimensions).';
COMMENT ON COLUMN @extschema@.catalog.k IS 'The minimum number of distinct employees of a published cell.';
COMMENT ON COLUMN @extschema@.catalog.max_member_share IS 'The dominance threshold: the largest share of a cell''s rows one employee may have.';
COMMENT ON COLUMN @extschema@.catalog.period IS 'Sealed-period publications: the period expression; NULL for a snapshot.';
COMMENT ON COLUMN @extschema@.catalog.outcome IS 'Results tables: the outcome (NULL for window results views: their outcome column says).';
COMMENT ON COLUMN @extschema@.catalog.drivers IS 'Results tables: the drivers, in order (NULL for window results views: their driver column says).';
COMMENT ON COLUMN @extschema@.catalog.description IS 'The object''s comment.';
GRANT SELECT ON @extschema@.catalog TO PUBLIC;
