-- The registry of publications: one row per publication made by exlink.publish (read by refresh,
-- audit and unpublish).
CREATE TABLE @extschema@.publications (
    object regclass PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('materialized', 'live', 'periods')),
    source regclass NOT NULL,
    member_column name NOT NULL,
    dimensions name[] NOT NULL,
    measures name[] NOT NULL,
    rollup boolean NOT NULL,
    k integer NOT NULL CHECK (k BETWEEN 2 AND 1000),
    grantees name[] NOT NULL,
    forced boolean NOT NULL,
    published_by name NOT NULL DEFAULT current_user,
    published_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    max_member_share float8 NOT NULL DEFAULT 1 CHECK (max_member_share > 0 AND max_member_share <= 1),
    release_key text UNIQUE,
    period text,
    period_type regtype,
    period_length interval,
    grace interval,
    base_tables regclass[]
);
COMMENT ON TABLE @extschema@.publications IS
    'Registry of guarded publications made by exlink.publish (object, source, member column, dimensions, measures, roll-up, baked k, grantees, who and when).';
COMMENT ON COLUMN @extschema@.publications.object IS 'The published relation: a table of released cells (a snapshot, or sealed periods), or a view (live); a snapshot made by exlink 0.2.0 is a materialized view until published again.';
COMMENT ON COLUMN @extschema@.publications.kind IS '''periods'' (a table of the released cells of sealed periods, appended at each seal), ''materialized'' (a snapshot: released cells only) or ''live'' (security_barrier view, on explicit request).';
COMMENT ON COLUMN @extschema@.publications.source IS 'The relation the cells are computed from.';
COMMENT ON COLUMN @extschema@.publications.member_column IS 'The column whose distinct non-NULL, non-empty values are the members counted against k.';
COMMENT ON COLUMN @extschema@.publications.dimensions IS 'Grouping columns; with rollup, the hierarchy, coarsest first.';
COMMENT ON COLUMN @extschema@.publications.measures IS 'Measures whose means and moments are published per cell.';
COMMENT ON COLUMN @extschema@.publications.rollup IS 'Whether subtotals along the dimension hierarchy (and a grand total) are published.';
COMMENT ON COLUMN @extschema@.publications.k IS 'The threshold baked into the publication (the effective k is max(k, exlink.min_group_size) at refresh).';
COMMENT ON COLUMN @extschema@.publications.grantees IS 'Roles granted SELECT at publication time.';
COMMENT ON COLUMN @extschema@.publications.forced IS 'Whether an overlapping grain of the same source was forced.';
COMMENT ON COLUMN @extschema@.publications.published_by IS 'The role that published.';
COMMENT ON COLUMN @extschema@.publications.published_at IS 'When it was published.';
COMMENT ON COLUMN @extschema@.publications.max_member_share IS 'The dominance threshold baked into the publication (the effective one is min(max_member_share, exlink.max_member_share) at refresh).';
COMMENT ON COLUMN @extschema@.publications.release_key IS 'Key of a materialized publication''s cells in exlink.released_cells and exlink.release_ledger (NULL: made by exlink 0.1.0, rebuilt at its first exlink.refresh).';
COMMENT ON COLUMN @extschema@.publications.period IS 'The period expression over the source''s columns (immutable); NULL: a snapshot publication.';
COMMENT ON COLUMN @extschema@.publications.period_type IS 'The type of the period expression (the publication''s period column).';
COMMENT ON COLUMN @extschema@.publications.period_length IS 'How long a period lasts from its start (the period value); NULL: periods are sealed only by exlink.seal.';
COMMENT ON COLUMN @extschema@.publications.grace IS 'How long after its end a period waits for late rows before exlink.refresh seals it.';
COMMENT ON COLUMN @extschema@.publications.base_tables IS 'The tables (and foreign tables) the source reads, through views: publications over one source are found by these, not by the source''s name.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.publications', '');
REVOKE ALL ON @extschema@.publications FROM PUBLIC;
