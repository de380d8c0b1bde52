-- Rule: a refresh releases a cell's new figures only when the members changed since its last
-- release number 0 or at least k (at every level, with complementary suppression over the
-- changes); otherwise the cell keeps its last released figures.  Differencing two releases
-- (the new hire's or the leaver's exact figures) learns nothing below k.
\set SHOW_CONTEXT never
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

-- A live publication has no refresh.
SET ROLE regress_custodian;
SELECT exlink.publish('refr.live', 'refr.src', 'employee', '{team}', '{cx}', live => true, force => true);
SELECT * FROM exlink.refresh('refr.live');
SELECT exlink.unpublish('refr.live');
SELECT exlink.unpublish('refr.team_wave');
SELECT exlink.unpublish('refr.tree');
SELECT count(*) AS ledger_rows_left FROM exlink.release_ledger l
 WHERE NOT EXISTS (SELECT FROM exlink.publications p WHERE p.release_key = l.release_key);
DROP SCHEMA refr CASCADE;
RESET ROLE;
