-- Rule: a cell is released only if no single member accounts for more than
-- exlink.max_member_share of its responses (default 0.5; SUSET; baked into publications);
-- complementary suppression treats a dominated cell like a small one.
\set SHOW_CONTEXT never
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
-- materialized and the live publication, and its complement is suppressed with it (the total
-- row count is public): hub's mean would be hub-1's CX
SET ROLE regress_analyst;
SELECT team, responses, members, round(mean_cx::numeric, 3) AS mean_cx FROM domt.cells ORDER BY team COLLATE "C";
SELECT team, responses, members FROM domt.live ORDER BY team COLLATE "C";
-- must fail: an analyst cannot relax the rule
SET exlink.max_member_share = 1;
SELECT set_config('exlink.max_member_share', '1', false);
SHOW exlink.max_member_share;
SELECT exlink.max_member_share() AS in_force;
-- the release decision as SQL: dominance refused, 1 disables it, a baked limit only tightens
SELECT exlink.release_status(5, 5, 0.95) AS dominated, exlink.release_status(5, 5, 0.5) AS half,
       exlink.release_status(5, 5, 0.3, NULL, 0.25) AS baked_tighter, exlink.release_status(5, 5, 0.6, NULL, 1) AS baked_looser;
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

SET ROLE regress_custodian;
SELECT exlink.unpublish('domt.cells');
SELECT exlink.unpublish('domt.live');
DROP SCHEMA domt CASCADE;
RESET ROLE;
