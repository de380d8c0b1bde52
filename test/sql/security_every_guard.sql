-- Rule: every guarded form goes through the one release decision.  Generated from the catalog
-- (as audit_guards finds guards): every exlink aggregate with a text argument (the member) is
-- run, with each inference it accepts, on three groups the analyst builds:
--   dominated  5 members, one of them with 95 of the 100 rows (k alone would release it);
--   k_minus_1  4 members, 3 rows each;
--   boundary   5 members (= k), 3 rows each: released.
-- A new overload appears in the listing (this file's expected output changes), and one that
-- releases the dominated or the k - 1 group is listed as a violation.  Arguments are chosen by
-- type and position: float8 before the member = data, after it = a confidence level; float8[] =
-- one driver; text[] = its name; integer = k (5); a text after the member = the inference.
\set SHOW_CONTEXT never
SET ROLE regress_analyst;
CREATE TEMP TABLE guard_rows (grp text, member text, v1 float8, v2 float8);
INSERT INTO guard_rows
SELECT 'dominated', CASE WHEN i <= 95 THEN 'd-1' ELSE 'd-' || ((i - 96) % 4 + 2) END, (i * 7) % 11, (i * 3 + i / 10) % 11
  FROM generate_series(1, 100) i;
INSERT INTO guard_rows
SELECT g, g || '-' || e, (e * 7 + j * 3) % 11, (e * 2 + j * 5) % 11
  FROM (VALUES ('k_minus_1', 4), ('boundary', 5)) AS groups(g, size), generate_series(1, size) e, generate_series(1, 3) j;
SELECT grp, count(*) AS rows_, count(DISTINCT member) AS members FROM guard_rows GROUP BY grp ORDER BY grp COLLATE "C";

CREATE TEMP TABLE guard_outcomes (form text, inference text, grp text, released boolean);
DO $$
DECLARE
    f record;
    args text[];
    typ oid;
    seen_member boolean;
    nfloat integer;
    inferences text[];
    inf text;
    released text;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname, p.proargtypes::oid[] AS types, p.prorettype
          FROM pg_proc p
         WHERE p.pronamespace = 'exlink'::regnamespace AND p.prokind = 'a'
           AND 'text'::regtype = ANY (p.proargtypes::oid[])
           -- aggregates over moments values (cells) take the cells' member bound, not rows:
           -- driver_weights_cells, tested with its own guard groups in cluster_cells
           AND NOT 'exlink.moments'::regtype = ANY (p.proargtypes::oid[])
         ORDER BY p.oid::regprocedure::text COLLATE "C"
    LOOP
        released := CASE f.prorettype
            WHEN 'boolean'::regtype THEN 'r'
            WHEN 'float8'::regtype THEN 'r IS NOT NULL'
            WHEN 'bigint'::regtype THEN 'r IS NOT NULL'
            WHEN 'exlink.moments'::regtype THEN 'r IS NOT NULL'
            WHEN 'exlink.correlation'::regtype THEN 'NOT (r).suppressed'
            WHEN 'exlink.driver_model'::regtype THEN 'NOT (r).suppressed'
        END;
        IF released IS NULL THEN
            RAISE EXCEPTION 'guarded aggregate % returns %: say here how it shows a released figure',
                f.oid::regprocedure, format_type(f.prorettype, NULL);
        END IF;
        -- a text argument after the member is the inference: both values
        inferences := CASE WHEN (SELECT count(*) FROM unnest(f.types) t WHERE t = 'text'::regtype) > 1
                           THEN ARRAY['cluster', 'independent'] ELSE ARRAY[NULL] END;
        FOREACH inf IN ARRAY inferences LOOP
            args := '{}';
            seen_member := false;
            nfloat := 0;
            FOREACH typ IN ARRAY f.types LOOP
                IF typ = 'text'::regtype AND NOT seen_member THEN
                    args := args || 'member'::text;
                    seen_member := true;
                ELSIF typ = 'text'::regtype THEN
                    args := args || quote_literal(inf);
                ELSIF typ = 'float8'::regtype AND NOT seen_member THEN
                    nfloat := nfloat + 1;
                    args := args || ('v' || nfloat);
                ELSIF typ = 'float8'::regtype THEN
                    args := args || '0.95'::text;
                ELSIF typ = 'float8[]'::regtype THEN
                    args := args || 'ARRAY[v2]'::text;
                ELSIF typ = 'text[]'::regtype THEN
                    args := args || quote_literal('{d1}');
                ELSIF typ = 'integer'::regtype THEN
                    args := args || '5'::text;
                ELSIF typ = 'bigint'::regtype THEN
                    args := args || '1'::text;   -- a seed
                ELSE
                    RAISE EXCEPTION 'guarded aggregate % takes %: say here what to pass', f.oid::regprocedure, format_type(typ, NULL);
                END IF;
            END LOOP;
            EXECUTE format('INSERT INTO guard_outcomes SELECT %L, %L, grp, %s FROM (SELECT grp, exlink.%I(%s) AS r FROM guard_rows GROUP BY grp) s',
                           f.oid::regprocedure::text, inf, released, f.proname, array_to_string(args, ', '));
        END LOOP;
    END LOOP;
END
$$;

-- must fail: every guarded form, with every inference, refuses the dominated and the k - 1
-- group (and releases the boundary group)
SELECT form, coalesce(inference, '') AS inference,
       max(CASE WHEN grp = 'dominated' THEN CASE WHEN released THEN 'RELEASED' ELSE 'suppressed' END END) AS dominated,
       max(CASE WHEN grp = 'k_minus_1' THEN CASE WHEN released THEN 'RELEASED' ELSE 'suppressed' END END) AS k_minus_1,
       max(CASE WHEN grp = 'boundary' THEN CASE WHEN released THEN 'released' ELSE 'SUPPRESSED' END END) AS boundary
  FROM guard_outcomes GROUP BY form, inference ORDER BY form COLLATE "C", inference COLLATE "C";
-- must be empty: the violations
SELECT form, inference, grp FROM guard_outcomes
 WHERE released IS DISTINCT FROM (grp = 'boundary') ORDER BY form COLLATE "C", inference COLLATE "C", grp COLLATE "C";
-- at least the 18 guarded overloads of 0.2.0 are run
SELECT count(DISTINCT form) >= 18 AS enough_forms FROM guard_outcomes;
RESET ROLE;

-- Positive control: the custodian's plain figures of the dominated group, which a guarded form
-- releasing it would show (the mean is d-1's mean to within a few hundredths).
SET ROLE regress_custodian;
SELECT round(avg(v1)::numeric, 2) AS group_mean, round((avg(v1) FILTER (WHERE member = 'd-1'))::numeric, 2) AS d1_mean,
       count(*) AS rows_, round(count(*) FILTER (WHERE member = 'd-1')::numeric / count(*), 2) AS d1_share
  FROM (SELECT CASE WHEN i <= 95 THEN 'd-1' ELSE 'd-' || ((i - 96) % 4 + 2) END AS member, ((i * 7) % 11)::float8 AS v1
          FROM generate_series(1, 100) i) d;
RESET ROLE;

-- The dominance fact is an upper bound, merged across parallel workers: on 300 random groups
-- (5 to 80 members, one member holding 0 to 100 % of the rows), no group whose largest member
-- holds more than half of its rows is released, and every group of at least k members whose
-- largest member holds at most half minus 1/33 (the summary's precision, 32 counters) is.
CREATE TABLE guard_random AS
SELECT p.g, CASE WHEN r <= p.heavy THEN 'top' ELSE 'm' || (r % p.size) END AS member, r::float8 AS v
  FROM (SELECT g, 5 + (g * 37) % 76 AS size, (((g * 53) % 101) / 100.0 * (40 + (g * 17) % 200))::int AS heavy,
               40 + (g * 17) % 200 AS rows_
          FROM generate_series(1, 300) g) p,
       generate_series(1, p.rows_) r;
ANALYZE guard_random;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, exlink.members_at_least(member, 5) FROM guard_random GROUP BY g;
CREATE TEMP TABLE guard_random_out AS
SELECT g, exlink.members_at_least(member, 5) AS released, exlink.guarded_avg(v, member) IS NOT NULL AS avg_released
  FROM guard_random GROUP BY g;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT count(*) AS groups_,
       count(*) FILTER (WHERE t.top_share > 0.5) AS dominated,
       count(*) FILTER (WHERE t.top_share > 0.5 AND (o.released OR o.avg_released)) AS dominated_released,
       count(*) FILTER (WHERE t.top_share <= 0.5 - 1.0 / 33 AND t.members >= 5) AS clear,
       count(*) FILTER (WHERE t.top_share <= 0.5 - 1.0 / 33 AND t.members >= 5 AND NOT (o.released AND o.avg_released)) AS clear_refused
  FROM guard_random_out o
  JOIN (SELECT g, count(DISTINCT member) AS members, max(n)::float8 / sum(n) AS top_share
          FROM (SELECT g, member, count(*) AS n FROM guard_random GROUP BY g, member) x GROUP BY g) t USING (g);
DROP TABLE guard_random;
