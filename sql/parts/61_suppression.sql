-- Suppression: the release decision as SQL (release_status, the C policy of every final
-- function), and complementary suppression over the cells of a hierarchy (suppress_cells, and
-- complementary_suppression, its form with the plain k rule).

-- The one release decision (src/release_policy.c): the only SQL door to it.  publish, refresh,
-- complementary suppression and results tables pass facts as counts (members, rows and an upper
-- bound on the largest member's rows, the change's, the published variables) and never apply k,
-- a share or a share limit themselves: the share is divided out and k combined with the setting
-- in C only.  An unknown fact the decision needs refuses.
CREATE FUNCTION @extschema@.release_status(members bigint, k integer, rows bigint DEFAULT NULL, top_rows bigint DEFAULT NULL, changed_members bigint DEFAULT NULL,
                                           share_limit float8 DEFAULT NULL, change_rows bigint DEFAULT NULL, change_top_rows bigint DEFAULT NULL,
                                           variables integer DEFAULT NULL, fourth_order integer DEFAULT NULL, clusters bigint DEFAULT NULL)
RETURNS text
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'exlink_release_decision';
COMMENT ON FUNCTION @extschema@.release_status(bigint, integer, bigint, bigint, bigint, float8, bigint, bigint, integer, integer, bigint) IS
    'The release decision every exlink figure goes through: ''ok'', or ''suppressed: <reason>'' (fewer than max(k, exlink.min_group_size) distinct members; one member holding more than min(share_limit, exlink.max_member_share) of the rows (top_rows: an upper bound on the largest member''s rows); a released change (changed_members > 0) of fewer than that k members or dominated by one (change_top_rows of change_rows: an upper bound); fourth_order clustered variances published beside the moments of variables variables with too few members). NULL members, rows or top_rows (or no rows): not known, refused; NULL changed_members: no change released; NULL change_rows or change_top_rows: not known (a change is refused); NULL share_limit: the setting; NULL fourth_order: none; clusters (with fourth_order): the inference of a released cell is clustered by that many units coarser than members (e.g. the teams of a region row), refused below max(k, exlink.min_group_size) clusters or below the fourth-order bound counted in clusters (the cell''s share is its own decision''s: not needed).';

-- The k in force for SQL that stores it (a publication bakes its k): the release decision's own
-- threshold, so that no SQL combines k with the setting.
CREATE FUNCTION @extschema@.effective_min_group_size(k integer) RETURNS integer
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'exlink_effective_min_group_size';
COMMENT ON FUNCTION @extschema@.effective_min_group_size(integer) IS
    'The threshold the release decision applies for a k argument: max(k, exlink.min_group_size) (NULL k: the setting).';

-- Complementary suppression over the cells of one hierarchy.  Cells are given as parallel arrays:
-- a key, the key of the parent cell (NULL at the top), the cell's exact distinct-member count, and
-- whether the release policy (exlink.release_status) releases the cell on its own.  Returns the
-- keys that may be released.  Rules, for every parent P with children C(P):
--   primary:  a cell the policy does not release (released[i] false or NULL) is suppressed;
--   P released: the suppressed children S are none, or at least two whose union passes the
--     release decision as a cell does (exlink.release_status: members, lower bound
--     max(max |s|, |P| - sum of released children's members); largest member's share of the
--     union's rows, upper bound min(1, sum of the children's largest members' rows / sum of their
--     rows), since a member may be in several children);
--   P suppressed: S is all of C(P), or at least two whose union passes likewise (so P is never
--     derivable from its children);
-- else the smallest released child (by members, then key; a child of 0 members last, since
-- suppressing it hides nothing: with exlink.refresh members are changed members) is suppressed too (or, when no child
-- is left to suppress, P), and everything is checked again until nothing changes, so the rules
-- propagate up and down the hierarchy.  A cell marked fixed is never picked as a complement
-- (its own decision still applies): exlink.refresh marks the cells whose current figures the
-- analysts already hold (shown before, unchanged since), which hiding would not protect; a
-- suppressed P whose other children are all fixed needs no more (P and its suppressed children
-- then differ by public figures: P's own protection at its level covers them).
-- rows and tops (each cell's rows and its largest member's rows) are the dominance facts of the
-- unions; without them a union's share is not known and no union passes (fail-closed).
CREATE FUNCTION @extschema@.suppress_cells(cells text[], parents text[], members bigint[], released boolean[], k integer, fixed boolean[] DEFAULT NULL,
                                           rows bigint[] DEFAULT NULL, tops bigint[] DEFAULT NULL, share_limit float8 DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer := coalesce(pg_catalog.array_length(cells, 1), 0);
    parent_idx integer[];
    supp boolean[];
    victims integer[];
    v integer;
    v_cycle text;
    rounds integer := 0;
BEGIN
    IF k IS NULL OR k < 2 THEN
        RAISE EXCEPTION 'k must be at least 2' USING ERRCODE = '22023';
    END IF;
    IF (rows IS NULL) <> (tops IS NULL) OR coalesce(pg_catalog.array_length(rows, 1), n) <> n OR coalesce(pg_catalog.array_length(tops, 1), n) <> n THEN
        RAISE EXCEPTION 'rows and tops must both be given, with one entry per cell' USING ERRCODE = '22023';
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
    -- A cell that is its own ancestor is no hierarchy: the unions below would be meaningless.
    SELECT cells[u.start] INTO v_cycle
      FROM (WITH RECURSIVE up(start, cur, depth) AS (
                SELECT i, parent_idx[i], 1 FROM pg_catalog.generate_subscripts(cells, 1) AS i WHERE parent_idx[i] IS NOT NULL
                UNION ALL
                SELECT up.start, parent_idx[up.cur], up.depth + 1 FROM up
                 WHERE parent_idx[up.cur] IS NOT NULL AND up.cur <> up.start AND up.depth <= n)
            SELECT up.start FROM up WHERE up.cur = up.start LIMIT 1) u;
    IF v_cycle IS NOT NULL THEN
        RAISE EXCEPTION 'parents must form a hierarchy: cell % is its own ancestor', v_cycle USING ERRCODE = '22023';
    END IF;
    LOOP
        rounds := rounds + 1;
        WITH c AS (
            SELECT i, parent_idx[i] AS p, coalesce(members[i], 0) AS m, supp[i] AS s, rows[i] AS nr, tops[i] AS top
              FROM pg_catalog.generate_subscripts(cells, 1) AS i),
        rel AS (
            SELECT c.p, pg_catalog.count(*) FILTER (WHERE c.s) AS ns, pg_catalog.count(*) AS nc,
                   pg_catalog.count(*) FILTER (WHERE NOT c.s AND NOT coalesce(fixed[c.i], false)) AS eligible,
                   coalesce(pg_catalog.max(c.m) FILTER (WHERE c.s), 0) AS maxs,
                   coalesce(pg_catalog.sum(c.m) FILTER (WHERE NOT c.s), 0) AS sumr,
                   pg_catalog.sum(c.top) FILTER (WHERE c.s) AS stop,
                   pg_catalog.sum(c.nr) FILTER (WHERE c.s) AS srows
              FROM c WHERE c.p IS NOT NULL GROUP BY c.p),
        un AS (
            SELECT rel.*, rel.ns >= 2 AND @extschema@.release_status(
                       GREATEST(rel.maxs, coalesce(members[rel.p], 0) - rel.sumr)::bigint, k,
                       rel.srows::bigint, rel.stop::bigint, NULL::bigint, share_limit) = 'ok' AS union_ok
              FROM rel),
        bad AS (
            SELECT un.p FROM un
             WHERE (NOT supp[un.p] AND un.ns >= 1 AND NOT un.union_ok)
                OR (supp[un.p] AND un.ns < un.nc AND un.eligible > 0 AND NOT un.union_ok)),
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
COMMENT ON FUNCTION @extschema@.suppress_cells(text[], text[], bigint[], boolean[], integer, boolean[], bigint[], bigint[], float8) IS
    'Keys of the cells that may be released along a hierarchy (cells, their parents, their exact distinct-member counts, whether the release policy releases each cell on its own, optionally cells whose figures are already public: never picked as complements; each cell''s rows and largest member''s rows) under complementary suppression: every union of withheld children must pass exlink.release_status at k and share_limit as a cell does (members and dominance).';

-- The plain k rule as the primary rule (fewer than exactly k members): for checking a
-- suppression pattern of member counts by hand.  Unions go through the release decision as in
-- publish, with each member counted as one row (a member may be in several cells, so a union's
-- largest member has at most as many rows as the union has cells).  publish uses suppress_cells
-- with the release policy's decision on every cell and the cells' own rows instead.
CREATE FUNCTION @extschema@.complementary_suppression(cells text[], parents text[], members bigint[], k integer)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT @extschema@.suppress_cells(cells, parents, members,
               ARRAY(SELECT coalesce(t.m, 0) OPERATOR(pg_catalog.>=) k FROM pg_catalog.unnest(members) WITH ORDINALITY AS t(m, i) ORDER BY t.i), k, NULL,
               ARRAY(SELECT coalesce(t.m, 0) FROM pg_catalog.unnest(members) WITH ORDINALITY AS t(m, i) ORDER BY t.i),
               ARRAY(SELECT LEAST(coalesce(t.m, 0), 1) FROM pg_catalog.unnest(members) WITH ORDINALITY AS t(m, i) ORDER BY t.i))
$fn$;
COMMENT ON FUNCTION @extschema@.complementary_suppression(text[], text[], bigint[], integer) IS
    'Keys of the cells that may be released under primary (< k members) and complementary suppression along a hierarchy (cells, their parents, their exact distinct-member counts).';
