-- Rule: a refresh releases a cell's new figures only when the members changed since its last
-- release number 0 or at least k (at every level, with complementary suppression over the
-- changes); otherwise the cell keeps its last released figures.  Differencing two releases
-- (the new hire's or the leaver's exact figures) learns nothing below k.
\set SHOW_CONTEXT never
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SET ROLE regress_custodian;
CREATE SCHEMA refr;
GRANT USAGE ON SCHEMA refr TO regress_analyst;
CREATE TABLE refr.src (region text, team text, employee text, cx float8, ex float8);
INSERT INTO refr.src
SELECT r, t, t || '-' || e, (e * 7 + j) % 10, (e * 3 + j) % 7 + 1
  FROM (VALUES ('north', 'alpha', 6), ('north', 'beta', 7), ('south', 'gamma', 8), ('south', 'delta', 9)) AS teams(r, t, size),
       generate_series(1, size) AS e, generate_series(1, 4) AS j;
SELECT exlink.publish('refr.team_wave', 'refr.src', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}');
SELECT exlink.publish('refr.tree', 'refr.src', 'employee', '{region,team}', '{cx,ex}', rollup => true,
                      grant_to => '{regress_analyst}', force => true);
RESET ROLE;

-- The analyst saves the cells before the hourly refresh.
SET ROLE regress_analyst;
CREATE TEMP TABLE before_flat AS SELECT team, responses, members, mean_cx, mean_ex FROM refr.team_wave;
CREATE TEMP TABLE before_tree AS SELECT cell, responses, members, mean_cx FROM refr.tree;
SELECT team, responses, members, round(mean_cx::numeric, 4) AS mean_cx FROM refr.team_wave ORDER BY team COLLATE "C";
RESET ROLE;

-- One new hire joins alpha; the custodian refreshes (as pg_cron would).
SET ROLE regress_custodian;
INSERT INTO refr.src SELECT 'north', 'alpha', 'alpha-new', 9, 2 FROM generate_series(1, 4);
SELECT * FROM exlink.refresh('refr.team_wave');
SELECT * FROM exlink.refresh('refr.tree');
RESET ROLE;

-- must fail: differencing across the refresh ((n2 * mean2 - n1 * mean1) / (n2 - n1) = the new
-- hire's own CX): no cell changed, at any level of the roll-up
SET ROLE regress_analyst;
SELECT a.team, (a.responses * a.mean_cx - b.responses * b.mean_cx) / NULLIF(a.responses - b.responses, 0) AS new_hire_cx
  FROM refr.team_wave a JOIN before_flat b USING (team)
 WHERE a.responses <> b.responses OR a.mean_cx <> b.mean_cx;
SELECT a.cell, a.responses - b.responses AS new_rows
  FROM refr.tree a JOIN before_tree b USING (cell)
 WHERE a.responses <> b.responses OR a.mean_cx <> b.mean_cx;
SELECT count(*) AS cells_gone FROM before_tree b WHERE NOT EXISTS (SELECT FROM refr.tree a WHERE a.cell = b.cell);
-- must fail: the analyst cannot refresh, nor read what is held back
SELECT * FROM exlink.refresh('refr.team_wave');
REFRESH MATERIALIZED VIEW refr.team_wave;
SELECT count(*) FROM exlink.refresh_status;
RESET ROLE;

-- Positive control: the custodian sees the new hire's exact CX in the source, and the held-back
-- change (one member) with its age in refresh_status.
SET ROLE regress_custodian;
SELECT avg(cx) AS new_hire_cx FROM refr.src WHERE employee = 'alpha-new';
SELECT publication, cell, shown, held_since IS NOT NULL AS held, held_for >= '0'::interval AS age_known, pending_members
  FROM exlink.refresh_status WHERE publication = 'refr.team_wave'::regclass ORDER BY cell COLLATE "C";

-- Four more hires in alpha: five changed members (= k) since alpha's last release: released.
INSERT INTO refr.src SELECT 'north', 'alpha', 'alpha-new' || i, i, 3 FROM generate_series(1, 4) i, generate_series(1, 4);
SELECT * FROM exlink.refresh('refr.team_wave');
SELECT * FROM exlink.refresh('refr.tree');
-- A plain REFRESH (a 0.1.0-style pg_cron job) goes through the same guard: a leaver in beta
-- (one member) is held back too.
DELETE FROM refr.src WHERE employee = 'beta-1';
REFRESH MATERIALIZED VIEW CONCURRENTLY refr.team_wave;
REFRESH MATERIALIZED VIEW refr.tree;
SELECT publication, cell, shown, pending_members FROM exlink.refresh_status
 WHERE held_since IS NOT NULL ORDER BY publication::text COLLATE "C", cell COLLATE "C";

RESET ROLE;

-- The analyst sees alpha change; the difference covers five new members, never one.
SET ROLE regress_analyst;
SELECT a.team, a.members - b.members AS new_members, a.responses - b.responses AS new_rows
  FROM refr.team_wave a JOIN before_flat b USING (team)
 WHERE a.responses <> b.responses OR a.mean_cx <> b.mean_cx ORDER BY a.team COLLATE "C";
SELECT a.cell, a.members - b.members AS new_members
  FROM refr.tree a JOIN before_tree b USING (cell)
 WHERE a.responses <> b.responses OR a.mean_cx <> b.mean_cx ORDER BY a.cell COLLATE "C";
RESET ROLE;

-- Rule: a cell hidden at a release (a complement, here) stays hidden in the publication, even
-- after k of its members changed (its hidden figures = its later figures minus its change, which a
-- parent's difference discloses); a cell shown before and unchanged cannot be a complement.  Attack:
-- the small team x is hidden with its complement a at release 1; five members leave b, which
-- would now be the smallest sibling and so the complement, showing a (unchanged) at release 2:
-- x = north(release 1) - a(release 2) - b(release 1).
SET ROLE regress_custodian;
CREATE TABLE refr.shift (region text, team text, employee text, cx float8);
INSERT INTO refr.shift SELECT 'north', t, t || '-' || e, (e * 7 + j) % 10 + (t = 'x')::int * 3
  FROM (VALUES ('x', 3), ('a', 10), ('b', 12)) AS teams(t, size), generate_series(1, size) e, generate_series(1, 2) j;
SELECT exlink.publish('refr.shift_pub', 'refr.shift', 'employee', '{region,team}', '{cx}', rollup => true,
                      grant_to => '{regress_analyst}', force => true);
RESET ROLE;
SET ROLE regress_analyst;
SELECT level, team, members FROM refr.shift_pub ORDER BY level, team COLLATE "C";
CREATE TEMP TABLE shift_r1 AS SELECT * FROM refr.shift_pub;
RESET ROLE;
SET ROLE regress_custodian;
DELETE FROM refr.shift WHERE employee IN ('b-1', 'b-2', 'b-3', 'b-4', 'b-5');
SELECT * FROM exlink.refresh('refr.shift_pub');
RESET ROLE;
-- must fail: a stays hidden (sticky), so x cannot be derived from the two releases
SET ROLE regress_analyst;
SELECT level, team, members FROM refr.shift_pub ORDER BY level, team COLLATE "C";
SELECT (p1.responses * p1.mean_cx - a2.responses * a2.mean_cx - b1.responses * b1.mean_cx)
       / NULLIF(p1.responses - a2.responses - b1.responses, 0) AS x_mean_derived
  FROM shift_r1 p1, refr.shift_pub a2, shift_r1 b1 WHERE p1.level = 1 AND a2.team = 'a' AND b1.team = 'b';
RESET ROLE;
-- Positive control: the custodian's x, which the attack above would have printed (exlink 0.2.0
-- before this rule did).
SET ROLE regress_custodian;
SELECT avg(cx) AS x_true_mean, count(DISTINCT employee) AS x_members FROM refr.shift WHERE team = 'x';
-- must fail: five members of a change; a would then show a3, the parent's difference gives
-- a3 - a1, and x = north(1) - a1 - b(1): a stays hidden, so neither a3 nor x is disclosed.
UPDATE refr.shift SET cx = cx + 1 WHERE employee IN ('a-1', 'a-2', 'a-3', 'a-4', 'a-5');
SELECT * FROM exlink.refresh('refr.shift_pub');
RESET ROLE;
SET ROLE regress_analyst;
SELECT level, team, members FROM refr.shift_pub ORDER BY level, team COLLATE "C";
CREATE TEMP TABLE shift_r3 AS SELECT * FROM refr.shift_pub;
SELECT count(*) AS a_shown FROM shift_r3 WHERE team = 'a';
RESET ROLE;
-- Positive control: the custodian sees the sticky cells in refresh_status.
SET ROLE regress_custodian;
SELECT cell, level, shown FROM exlink.refresh_status WHERE publication = 'refr.shift_pub'::regclass ORDER BY level, cell COLLATE "C";
RESET ROLE;

-- A live publication has no refresh.
SET ROLE regress_custodian;
SELECT exlink.publish('refr.live', 'refr.src', 'employee', '{team}', '{cx}', live => true, force => true);
SELECT * FROM exlink.refresh('refr.live');
SELECT exlink.unpublish('refr.live');
SELECT exlink.unpublish('refr.team_wave');
SELECT exlink.unpublish('refr.tree');
SELECT exlink.unpublish('refr.shift_pub');
SELECT count(*) AS ledger_rows_left FROM exlink.release_ledger l
 WHERE NOT EXISTS (SELECT FROM exlink.publications p WHERE p.release_key = l.release_key);
DROP SCHEMA refr CASCADE;
RESET ROLE;
