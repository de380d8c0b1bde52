-- exlink.moments: the state, its text/binary forms, validation, guard and merge.
CREATE TABLE mom_rows (g int, x float8, y float8, z float8, member text);
INSERT INTO mom_rows
SELECT i % 3, i, (i * 7) % 11 + 0.5 * i, sin(i), 'e' || (i % 8)
  FROM generate_series(1, 60) i;
INSERT INTO mom_rows VALUES (0, NULL, 1, 1, 'e1'), (1, 'NaN', 1, 1, 'e1'), (2, 'Infinity', 1, 1, 'e2'),
                            (0, 1, 1, 1, NULL), (1, 1, 1, 1, '');

-- Test helper: a value's numbers (means then co-moments) as one float8[].
CREATE FUNCTION mvec(m exlink.moments) RETURNS float8[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT translate(($1::text)::json ->> 'mean', '[]', '{}')::float8[]
              || translate(($1::text)::json ->> 'comoment', '[]', '{}')::float8[] $$;
CREATE FUNCTION close_enough(a float8[], b float8[], tol float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT cardinality(a) = cardinality(b) AND
                 bool_and(abs(u - v) <= tol * greatest(1, abs(v)))
            FROM unnest(a, b) AS t(u, v) $$;

-- The unguarded form: counts and means against core aggregates; skipped rows counted.
SELECT exlink.n(m), exlink.members(m),
       (SELECT count(*) FROM mom_rows WHERE x IS NOT NULL AND x <> 'NaN' AND x <> 'Infinity') AS complete_rows,
       round((exlink.means(m))[1]::numeric, 10) = (SELECT round(avg(x)::numeric, 10) FROM mom_rows WHERE x < 'Infinity') AS mean_ok
  FROM (SELECT exlink.moments(ARRAY[x, y, z]) AS m FROM mom_rows) s;

-- Co-moments agree with covar_pop * n from core PostgreSQL.
SELECT g, abs((mvec(m))[4] / exlink.n(m) - cp) < 1e-12 * greatest(1, abs(cp)) AS cov_xy_ok
  FROM (SELECT g, exlink.moments(ARRAY[x, y]) AS m, covar_pop(x, y) FILTER (WHERE x < 'Infinity') AS cp
          FROM mom_rows GROUP BY g) s
 ORDER BY g;

-- Text round trip is exact; binary round trip too.
CREATE TABLE mom_store AS SELECT g, exlink.moments(ARRAY[x, y, z]) AS m FROM mom_rows GROUP BY g;
SELECT g, m::text::exlink.moments::text = m::text AS text_roundtrip FROM mom_store ORDER BY g;
-- ... whatever extra_float_digits says.
SET extra_float_digits = 0;
SELECT g, m::text::exlink.moments::text = m::text AND mvec(m::text::exlink.moments) = mvec(m) AS exact_at_efd0
  FROM mom_store ORDER BY g;
RESET extra_float_digits;
\copy mom_store TO 'results/mom_store.bin' WITH (FORMAT binary)
CREATE TABLE mom_store2 (LIKE mom_store);
\copy mom_store2 FROM 'results/mom_store.bin' WITH (FORMAT binary)
SELECT count(*) AS binary_roundtrip_equal
  FROM mom_store a JOIN mom_store2 b USING (g) WHERE a.m::text = b.m::text;

-- A readable literal.
SELECT '{"p":2,"n":3,"skipped":1,"members":null,"mean":[2,5],"comoment":[2,3,8]}'::exlink.moments;

-- Crafted values are refused with 22P02 and a reason.
\set VERBOSITY default
SELECT '{"p":0,"n":3,"skipped":0,"members":null,"mean":[],"comoment":[]}'::exlink.moments;
SELECT '{"p":65,"n":3,"skipped":0,"members":null,"mean":[],"comoment":[]}'::exlink.moments;
SELECT '{"p":2,"n":-1,"skipped":0,"members":null,"mean":[0,0],"comoment":[0,0,0]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,5],"comoment":[-2,3,8]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,5],"comoment":[1,30,8]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":4,"mean":[2,5],"comoment":[2,3,8]}'::exlink.moments;
SELECT '{"p":2,"n":1,"skipped":0,"members":null,"mean":[2,5],"comoment":[2,0,0]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,5],"comoment":[2,3]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,NaN],"comoment":[2,3,8]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,1e999],"comoment":[2,3,8]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[2,5],"comoment":[2,3,8]} trailing'::exlink.moments;
SELECT '{"p":2'::exlink.moments;
\set VERBOSITY terse

-- Mismatched array lengths in one group: 22023.  Too many values: 54000.
SELECT exlink.moments(v) FROM (VALUES (ARRAY[1.0, 2.0]::float8[]), (ARRAY[1.0]::float8[])) t(v);
SELECT exlink.moments(array_fill(1.0::float8, ARRAY[65]));
SELECT exlink.moments(ARRAY[[1.0, 2.0]]::float8[]);
-- All rows skipped: a value with n = 0.  No rows at all: NULL.
SELECT exlink.moments(ARRAY[x]) FROM (VALUES (NULL::float8), ('NaN')) t(x);
SELECT exlink.moments(ARRAY[x]) IS NULL AS no_rows FROM mom_rows WHERE false;

-- Guard at k = 5: every g has 8 members; 4 members are suppressed, 5 released.
SELECT g, count(DISTINCT member) FILTER (WHERE member <> '') AS members,
       exlink.moments(ARRAY[x, y], member) IS NOT NULL AS released
  FROM mom_rows GROUP BY g ORDER BY g;
SELECT exlink.moments(ARRAY[x, y], member) IS NULL AS suppressed
  FROM mom_rows WHERE member IN ('e1', 'e2', 'e3', 'e4');
SELECT exlink.members(exlink.moments(ARRAY[x, y], member)) FROM mom_rows WHERE member IN ('e1', 'e2', 'e3', 'e4', 'e5');
-- One member with many rows is one member.
SELECT exlink.moments(ARRAY[x], member) IS NULL AS one_member_suppressed
  FROM (SELECT i::float8 AS x, 'agent' AS member FROM generate_series(1, 40) i) t;
-- A baked-in k can only raise the threshold.
SELECT exlink.moments(ARRAY[x, y], member, 9) IS NULL AS below_baked_k FROM mom_rows;
SELECT exlink.moments(ARRAY[x, y], member, 8) IS NULL AS at_baked_k FROM mom_rows;
SELECT exlink.moments(ARRAY[x, y], member, NULL) IS NULL AS null_k_is_guc FROM mom_rows WHERE member IN ('e1', 'e2', 'e3', 'e4');
SELECT exlink.moments(ARRAY[x, y], member, 2) IS NULL AS baked_k_cannot_lower
  FROM mom_rows WHERE member IN ('e1', 'e2', 'e3');
SELECT exlink.moments(ARRAY[x, y], member, 1) FROM mom_rows;
-- The baked-in k travels through a parallel plan's partial states too (see below).
-- Values too large for the co-moments: NULL (data never aborts a refresh), never a value that cannot be read back.
SELECT exlink.moments(ARRAY[x]) FROM (VALUES (1e300::float8), (-1e300)) t(x);
SELECT exlink.n(exlink.moments(ARRAY[x])) FROM (VALUES (1e150::float8), (-1e150), (1e-300), (5e-324)) t(x);

-- merge: union of cells equals the moments of all rows.
SELECT exlink.n(a) = exlink.n(b) AS n_equal, close_enough(mvec(a), mvec(b), 1e-12) AS moments_equal
  FROM (SELECT exlink.merge(m) AS a FROM mom_store) x,
       (SELECT exlink.moments(ARRAY[x, y, z]) AS b FROM mom_rows) y;
-- merge keeps the largest member lower bound; merging NULL is a no-op.
SELECT exlink.members(exlink.merge(m))
  FROM (VALUES ('{"p":1,"n":6,"skipped":0,"members":5,"mean":[1],"comoment":[2]}'::exlink.moments),
               ('{"p":1,"n":9,"skipped":0,"members":7,"mean":[3],"comoment":[1]}'::exlink.moments),
               (NULL)) t(m);
SELECT exlink.merge(m) FROM (VALUES ('{"p":1,"n":6,"skipped":0,"members":5,"mean":[1],"comoment":[2]}'::exlink.moments),
                                    ('{"p":2,"n":3,"skipped":1,"members":null,"mean":[2,5],"comoment":[2,3,8]}'::exlink.moments)) t(m);

-- subset: the moments of chosen variables equal the moments computed on those columns alone.
SELECT close_enough(mvec(exlink.subset(a, ARRAY[3, 1])), mvec(b), 1e-12) AS subset_equals_direct,
       exlink.n(exlink.subset(a, ARRAY[2])) = exlink.n(a) AS n_kept
  FROM (SELECT exlink.moments(ARRAY[x, y, z]) AS a, exlink.moments(ARRAY[z, x]) AS b FROM mom_rows) t;
SELECT exlink.members(exlink.subset(exlink.moments(ARRAY[x, y], member), ARRAY[2])) AS members_kept FROM mom_rows;
SELECT exlink.subset(m, ARRAY[0]) FROM mom_store WHERE g = 0;
SELECT exlink.subset(m, ARRAY[4]) FROM mom_store WHERE g = 0;
SELECT exlink.subset(m, ARRAY[1, 1]) FROM mom_store WHERE g = 0;
SELECT exlink.subset(m, ARRAY[1, NULL]) FROM mom_store WHERE g = 0;
SELECT exlink.subset(m, '{}') FROM mom_store WHERE g = 0;
SELECT exlink.subset(m, ARRAY[[1, 2]]) FROM mom_store WHERE g = 0;

-- Parallel plan: Partial Aggregate, same figures as serial.
CREATE TABLE mom_big AS
SELECT (i % 7)::float8 + i * 1e-3 AS x, sqrt(i) AS y, 'e' || (i % 50) AS member
  FROM generate_series(1, 200000) i;
ANALYZE mom_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT exlink.moments(ARRAY[x, y], member) FROM mom_big;
-- The baked-in k travels between workers too.
SELECT exlink.moments(ARRAY[x, y], member, 51) IS NULL AS parallel_baked_k_51,
       exlink.moments(ARRAY[x, y], member, 50) IS NULL AS parallel_baked_k_50 FROM mom_big;
CREATE TEMP TABLE par AS SELECT exlink.moments(ARRAY[x, y], member)::text AS m FROM mom_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS SELECT exlink.moments(ARRAY[x, y], member)::text AS m FROM mom_big;
RESET max_parallel_workers_per_gather;
SELECT close_enough(mvec(p.m::exlink.moments), mvec(s.m::exlink.moments), 1e-12) AS parallel_equals_serial,
       p.m::json -> 'members' AS members
  FROM par p, ser s;
SET max_parallel_workers_per_gather = 2;
SELECT exlink.moments(ARRAY[x, y], member, 51) IS NULL AS parallel_below_baked_k,
       exlink.moments(ARRAY[x, y], member, 50) IS NULL AS parallel_at_baked_k
  FROM mom_big;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

DROP TABLE mom_rows, mom_store, mom_store2, mom_big;
DROP FUNCTION mvec(exlink.moments), close_enough(float8[], float8[], float8);
