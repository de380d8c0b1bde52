-- Rule: a cell is released only if no single member accounts for more than
-- exlink.max_member_share of its responses (default 0.5; SUSET; baked into publications);
-- complementary suppression treats a dominated cell like a small one.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SET ROLE regress_custodian;
CREATE SCHEMA domt;
GRANT USAGE ON SCHEMA domt TO regress_analyst;
-- team hub: 5 members, but agent hub-1 handled 95 of its 100 responses; fair and fair2: 6
-- members with 4 responses each.
CREATE TABLE domt.src (team text, agent text, cx float8);
INSERT INTO domt.src SELECT 'hub', 'hub-1', (i % 3) + 7 FROM generate_series(1, 95) i;
INSERT INTO domt.src SELECT 'hub', 'hub-' || (i % 4 + 2), 2 FROM generate_series(1, 5) i;
INSERT INTO domt.src SELECT t, t || '-' || e, (e + j) % 10
  FROM (VALUES ('fair'), ('fair2')) AS teams(t), generate_series(1, 6) AS e, generate_series(1, 4) AS j;
SELECT exlink.publish('domt.cells', 'domt.src', 'agent', '{team}', '{cx}', grant_to => '{regress_analyst}');
SELECT exlink.publish('domt.live', 'domt.src', 'agent', '{team}', '{cx}', grant_to => '{regress_analyst}',
                      live => true, force => true);
SELECT max_member_share FROM exlink.publications WHERE object = 'domt.cells'::regclass;
RESET ROLE;

-- must fail: the dominated cell (5 members, so k alone would release it) is not released, in the
-- materialized and the live publication, and nothing else is: the total (never shown, but its
-- row count is public) is 64 % hub-1's rows, and a union of withheld teams must pass the rule as
-- a cell does, so hub + fair (the total minus fair2, 80 % hub-1) cannot be left derivable:
-- hub's mean would be hub-1's CX
SET ROLE regress_analyst;
SELECT team, responses, members, round(mean_cx::numeric, 3) AS mean_cx FROM domt.cells ORDER BY team COLLATE "C";
SELECT team, responses, members FROM domt.live ORDER BY team COLLATE "C";
-- must fail: an analyst cannot relax the rule
SET exlink.max_member_share = 1;
SELECT set_config('exlink.max_member_share', '1', false);
SHOW exlink.max_member_share;
SELECT exlink.max_member_share() AS in_force;
-- the release decision as SQL: dominance refused, 1 disables it, a baked limit only tightens
-- (the facts are counts: 95 of 100 rows; the share is divided out in C only)
SELECT exlink.release_status(5, 5, 100, 95) AS dominated, exlink.release_status(5, 5, 100, 50) AS half,
       exlink.release_status(5, 5, 100, 30, NULL, 0.25) AS baked_tighter, exlink.release_status(5, 5, 100, 60, NULL, 1) AS baked_looser;
-- must fail: a fact the decision needs and does not have refuses (members, the share, a
-- released change's share, the variables beside fourth-order figures)
SELECT exlink.release_status(NULL, 5, 100, 10) AS members_unknown, exlink.release_status(5, 5) AS share_unknown,
       exlink.release_status(5, 5, 100, NULL) AS top_unknown, exlink.release_status(5, 5, 0, 0) AS no_rows,
       exlink.release_status(5, 5, 100, 10, 5) AS change_share_unknown,
       exlink.release_status(50, 5, 100, 10, NULL, NULL, NULL, NULL, NULL, 3) AS variables_unknown;
-- an upper bound above the rows is still a bound (share 1); negative counts are refused
SELECT exlink.release_status(5, 5, 100, 120) AS bound_above_rows;
SELECT exlink.release_status(5, 5, -1, 0) AS negative_rows;
-- k in force for SQL that stores it: the decision's own threshold (never lower than the setting)
SELECT exlink.effective_min_group_size(NULL) AS setting, exlink.effective_min_group_size(2) AS lower_k,
       exlink.effective_min_group_size(12) AS higher_k;
-- the change and the fourth-order rules when their facts are known
SELECT exlink.release_status(9, 5, 100, 10, 5, NULL, 64, 60) AS change_dominated, exlink.release_status(9, 5, 100, 10, 5, NULL, 64, 19) AS change_ok,
       exlink.release_status(6, 5, 10, 2, NULL, NULL, NULL, NULL, 8, 7) AS six_members_eight_variables,
       exlink.release_status(23, 5, 100, 10, NULL, NULL, NULL, NULL, 8, 7) AS enough_members;
RESET ROLE;

-- Positive control: the custodian sees hub-1's share and its own mean in the source.
SET ROLE regress_custodian;
SELECT agent, count(*) AS responses, round(count(*)::numeric / sum(count(*)) OVER (), 2) AS share, avg(cx) AS mean_cx
  FROM domt.src WHERE team = 'hub' GROUP BY agent ORDER BY count(*) DESC, agent COLLATE "C" LIMIT 1;
RESET ROLE;

-- A superuser disabling the rule (1) does not relax a publication's baked limit (as for k).
SET exlink.max_member_share = 1;
SELECT team, responses, members FROM domt.live ORDER BY team COLLATE "C";
RESET exlink.max_member_share;

-- Rule: complements pass the same rule as a cell.  Region r: big1 (20 members, 4 responses
-- each), big2 (25 members, 4 each), small (4 members, 1 each: k - 1) and solo (one agent, 40
-- responses).  With k alone, small + solo (5 members) would be enough of a complement: r minus
-- big1 and big2 gives their union, whose 44 responses are 91 % solo-1's.
SET ROLE regress_custodian;
CREATE TABLE domt.reg (region text, team text, agent text, cx float8);
INSERT INTO domt.reg SELECT 'r', t, t || '-' || e, (e * 3 + j) % 10
  FROM (VALUES ('big1', 20), ('big2', 25), ('small', 4)) AS teams(t, size), generate_series(1, size) e,
       generate_series(1, CASE WHEN t = 'small' THEN 1 ELSE 4 END) j;
INSERT INTO domt.reg SELECT 'r', 'solo', 'solo-1', 9 FROM generate_series(1, 40);
SELECT exlink.publish('domt.regions', 'domt.reg', 'agent', '{region,team}', '{cx}', rollup => true,
                      grant_to => '{regress_analyst}');
RESET ROLE;
-- must fail: the residual r minus its released teams is not dominated (big1 is withheld too)
SET ROLE regress_analyst;
SELECT level, team, responses, members FROM domt.regions ORDER BY level, team COLLATE "C";
SELECT p.responses - sum(c.responses) AS residual_responses, p.members - sum(c.members) AS residual_members_at_least,
       round(((p.responses * p.mean_cx - sum(c.responses * c.mean_cx)) / (p.responses - sum(c.responses)))::numeric, 3) AS residual_mean
  FROM domt.regions p JOIN domt.regions c ON c.level = 2 WHERE p.level = 1 GROUP BY p.responses, p.members, p.mean_cx;
RESET ROLE;
-- Positive control: the custodian's shares of solo-1 in small + solo (what k alone would have
-- left derivable) and in the residual actually withheld.
SET ROLE regress_custodian;
SELECT round(40.0 / count(*) FILTER (WHERE team IN ('small', 'solo')), 2) AS solo_share_small_solo,
       round(40.0 / count(*) FILTER (WHERE team IN ('small', 'solo', 'big1')), 2) AS solo_share_residual,
       avg(cx) FILTER (WHERE team = 'solo') AS solo_mean
  FROM domt.reg;
RESET ROLE;

-- Rule: a released change passes the rule too.  Teams t (40 members) and u (10 members), 3
-- responses each.  A change of 5 members (k) where t-1 adds 60 responses and four others one
-- each: 64 new responses, 94 % t-1's (t itself is not dominated: t-1 has 63 of 184); released,
-- the change would give t-1's mean: (n2 m2 - n1 m1) / (n2 - n1).
SET ROLE regress_custodian;
CREATE TABLE domt.wave (team text, agent text, cx float8);
INSERT INTO domt.wave SELECT t, t || '-' || e, (e + j) % 5 + 3 FROM (VALUES ('t', 40), ('u', 10)) AS teams(t, size),
       generate_series(1, size) e, generate_series(1, 3) j;
SELECT exlink.publish('domt.waves', 'domt.wave', 'agent', '{team}', '{cx}', grant_to => '{regress_analyst}');
-- Positive control of the rule: a change of 5 members adding 2 responses each is released.
INSERT INTO domt.wave SELECT 'u', 'u-' || e, 8 FROM generate_series(1, 5) e, generate_series(1, 2);
SELECT * FROM exlink.refresh('domt.waves');
RESET ROLE;
SET ROLE regress_analyst;
SELECT team, responses, members, round(mean_cx::numeric, 4) AS mean_cx FROM domt.waves ORDER BY team COLLATE "C";
CREATE TEMP TABLE waves1 AS SELECT * FROM domt.waves;
RESET ROLE;
SET ROLE regress_custodian;
INSERT INTO domt.wave SELECT 't', 't-1', 1 FROM generate_series(1, 60);
INSERT INTO domt.wave SELECT 't', 't-' || e, 5 FROM generate_series(2, 5) e;
SELECT * FROM exlink.refresh('domt.waves');
RESET ROLE;
-- must fail: the dominated change is held back (t shows its last release), so the difference
-- of the two releases gives nothing
SET ROLE regress_analyst;
SELECT team, responses, members FROM domt.waves ORDER BY team COLLATE "C";
SELECT (w2.responses * w2.mean_cx - w1.responses * w1.mean_cx) / NULLIF(w2.responses - w1.responses, 0) AS change_mean
  FROM domt.waves w2 JOIN waves1 w1 USING (team) WHERE team = 't';
RESET ROLE;
-- Positive control: the custodian sees the change waiting, and what releasing it would have
-- given (the change's mean, 1.25) against t-1's new responses (all 1).
SET ROLE regress_custodian;
SELECT cell, shown, pending_members FROM exlink.refresh_status WHERE publication = 'domt.waves'::regclass ORDER BY cell COLLATE "C";
SELECT (sum(cx) - 600) / (count(*) - 120) AS change_mean_if_released FROM domt.wave WHERE team = 't';

-- The dominance bound keys members by a cheap hash of their bytes (HeavyMembersKey: words, an
-- overlapping last word, two 4-byte reads, or 3 bytes): members of every length class (2 to 3,
-- 4 to 7, 8, 9 to 16, longer), their rows interleaved.  One member with 44 of 72 rows is
-- refused as the analyst (must fail: dominance), a fair group of the same names released
-- (positive control); the custodian's count shows the dominant member.
CREATE TABLE domt.names AS
SELECT len, pg_catalog.repeat('m', len) || i AS member, j
  FROM (VALUES (1), (2), (5), (7), (8), (12), (20)) AS l(len), generate_series(1, 8) AS i, generate_series(1, 4) AS j;
INSERT INTO domt.names SELECT len, pg_catalog.repeat('m', len) || 1, 100 + j
  FROM (VALUES (1), (2), (5), (7), (8), (12), (20)) AS l(len), generate_series(1, 40) AS j;
GRANT SELECT ON domt.names TO regress_analyst;
SELECT len, pg_catalog.count(*) FILTER (WHERE member = pg_catalog.repeat('m', len) || 1) AS top_rows, pg_catalog.count(*) AS all_rows
  FROM domt.names GROUP BY len ORDER BY len;
RESET ROLE;
SET ROLE regress_analyst;
SELECT len, exlink.guarded_count(member) AS dominated, exlink.members_at_least(member, 5) AS dominated_released
  FROM (SELECT * FROM domt.names ORDER BY j, member) s GROUP BY len ORDER BY len;
SELECT len, exlink.guarded_count(member) AS fair, exlink.members_at_least(member, 5) AS fair_released
  FROM (SELECT * FROM domt.names WHERE j <= 4 ORDER BY j, member) s GROUP BY len ORDER BY len;
RESET ROLE;
SET ROLE regress_custodian;

SELECT exlink.unpublish('domt.cells');
SELECT exlink.unpublish('domt.live');
SELECT exlink.unpublish('domt.regions');
SELECT exlink.unpublish('domt.waves');
DROP SCHEMA domt CASCADE;
RESET ROLE;
