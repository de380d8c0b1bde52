-- Guard primitives: members_at_least, guarded_avg, guarded_count, nps.
-- Distinct members count, never rows; NULL/empty members never count; NULL below k (= 5).
CREATE TABLE g_rows (grp text, member text, v float8, score int);
-- grp a: 4 members (k-1), b: 5 (k), c: 6 (k+1); d: one agent with 40 responses;
-- e: 4 members plus NULL and empty members (still 4).
INSERT INTO g_rows SELECT 'a', 'm' || (i % 4), i, i % 11 FROM generate_series(1, 20) i;
INSERT INTO g_rows SELECT 'b', 'm' || (i % 5), i, i % 11 FROM generate_series(1, 20) i;
INSERT INTO g_rows SELECT 'c', 'm' || (i % 6), i, i % 11 FROM generate_series(1, 24) i;
INSERT INTO g_rows SELECT 'd', 'agent', i, 10 FROM generate_series(1, 40) i;
INSERT INTO g_rows SELECT 'e', 'm' || (i % 4), i, 9 FROM generate_series(1, 8) i;
INSERT INTO g_rows VALUES ('e', NULL, 1, 0), ('e', '', 2, 0), ('e', NULL, 3, 0);
-- Rows with missing values: skipped for avg, still a member for count.
INSERT INTO g_rows VALUES ('c', 'm1', NULL, NULL), ('c', 'm2', 'NaN', NULL), ('c', 'm3', 'Infinity', NULL);

SELECT grp, count(*) AS rows_, count(DISTINCT member) AS members_,
       exlink.members_at_least(member, NULL) AS at_least_k,
       exlink.guarded_count(member) AS g_count,
       round(exlink.guarded_avg(v, member)::numeric, 6) AS g_avg,
       round(avg(v) FILTER (WHERE v < 'Infinity' AND member <> '')::numeric, 6) AS plain_avg,
       round(exlink.nps(score, member)::numeric, 6) AS nps
  FROM g_rows GROUP BY grp ORDER BY grp COLLATE "C";

-- NPS against its definition (% promoters minus % detractors) where released.
SELECT grp, round(exlink.nps(score, member)::numeric, 6) =
            round((100.0 * count(*) FILTER (WHERE score >= 9) - 100.0 * count(*) FILTER (WHERE score <= 6))
                  / count(score), 6) AS nps_matches_definition
  FROM g_rows WHERE score IS NOT NULL AND member <> '' GROUP BY grp HAVING exlink.members_at_least(member, 5)
 ORDER BY grp COLLATE "C";

-- HAVING: only groups of at least k members survive.
SELECT grp FROM g_rows GROUP BY grp HAVING exlink.members_at_least(member, 5) ORDER BY grp COLLATE "C";
-- A k argument can raise the threshold, never lower it.
SELECT grp, exlink.members_at_least(member, 6) AS k6, exlink.members_at_least(member, 2) AS k2_is_k5,
       exlink.guarded_count(member, 6) AS count_k6, exlink.guarded_count(member, 2) AS count_k2_is_k5,
       exlink.guarded_avg(v, member, 2) IS NOT NULL AS avg_k2_released,
       exlink.nps(score, member, 6) IS NOT NULL AS nps_k6_released
  FROM g_rows GROUP BY grp ORDER BY grp COLLATE "C";
-- A superuser raising the setting raises every threshold.
SET exlink.min_group_size = 6;
SELECT grp, exlink.members_at_least(member, NULL), exlink.guarded_count(member) FROM g_rows GROUP BY grp ORDER BY grp COLLATE "C";
RESET exlink.min_group_size;

-- Empty input, all-NULL members.
SELECT exlink.members_at_least(member, 5), exlink.guarded_count(member), exlink.guarded_avg(v, member), exlink.nps(score, member)
  FROM g_rows WHERE false;
SELECT exlink.members_at_least(NULL::text, 5), exlink.guarded_count(NULL::text) FROM generate_series(1, 10);

-- Extreme values: tiny values kept, an overflowing mean gives NULL (never NaN or an error).
SELECT exlink.guarded_avg(1e-320::float8, 'm' || i) AS tiny, exlink.guarded_avg(1e308::float8, 'm' || i) AS huge,
       exlink.guarded_avg(CASE WHEN i % 2 = 0 THEN 1e308 ELSE -1e308 END, 'm' || i) AS overflow
  FROM generate_series(1, 10) i;

-- Misuse: scores off the 0..10 scale, non-integer scores, k out of range, a per-row k.
\set VERBOSITY terse
SELECT exlink.nps(11, 'x');
SELECT exlink.nps(-1, 'x');
SELECT exlink.nps(7.5, 'x');
SELECT exlink.nps(s, 'm' || i) FROM (VALUES (1, 'NaN'::float8), (2, 'Infinity'), (3, NULL)) t(i, s);
SELECT exlink.members_at_least('x', 1);
SELECT exlink.guarded_count('x', 1001);
SELECT exlink.members_at_least(member, i) FROM (VALUES ('a', 5), ('b', 6)) t(member, i);
\set VERBOSITY default

-- Early exit: a million rows over ten members and over a million members, bounded memory.
SELECT exlink.members_at_least('m' || (i % 10), 5) AS ten, exlink.members_at_least('m' || i, 1000) AS million
  FROM generate_series(1, 1000000) i;

-- Parallel plans: a Partial Aggregate and the same answers as the serial plan.
CREATE TABLE g_big AS SELECT i % 7 AS grp, 'm' || (i % 50 + (i % 7) * 3) AS member, (i % 13)::float8 AS v, i % 11 AS score
  FROM generate_series(1, 200000) i;
INSERT INTO g_big SELECT 7, 'm' || (i % 4), i, 5 FROM generate_series(1, 1000) i;
ANALYZE g_big;
CREATE TABLE g_serial AS
SELECT grp, exlink.members_at_least(member, 5) AS al, exlink.guarded_count(member) AS c,
       exlink.guarded_avg(v, member) AS a, exlink.nps(score, member) AS n FROM g_big GROUP BY grp;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT grp, exlink.members_at_least(member, 5), exlink.guarded_count(member),
       exlink.guarded_avg(v, member), exlink.nps(score, member) FROM g_big GROUP BY grp;
SELECT count(*) AS groups_, bool_and(p.al = s.al) AS at_least_equal, bool_and(p.c IS NOT DISTINCT FROM s.c) AS count_equal,
       bool_and(abs(p.a - s.a) < 1e-9 OR (p.a IS NULL AND s.a IS NULL)) AS avg_equal,
       bool_and(abs(p.n - s.n) < 1e-9 OR (p.n IS NULL AND s.n IS NULL)) AS nps_equal,
       count(*) FILTER (WHERE NOT p.al) AS suppressed_groups
  FROM (SELECT grp, exlink.members_at_least(member, 5) AS al, exlink.guarded_count(member) AS c,
               exlink.guarded_avg(v, member) AS a, exlink.nps(score, member) AS n FROM g_big GROUP BY grp) p
  JOIN g_serial s USING (grp);
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET enable_hashagg;

DROP TABLE g_rows, g_big, g_serial;
