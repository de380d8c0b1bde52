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
