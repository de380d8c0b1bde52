-- make load, under a refresh guard (exlink.release_ledger): every published cell held back at
-- its last released figures matches its ledger (responses and members of the last release), and
-- was held for a reason the guard gives: between 1 and k - 1 members changed since (members
-- with more rows now than in the ledger, or not in it).
WITH reg AS (SELECT k, release_key FROM exlink.publications WHERE object = 'published.cells'::regclass),
held AS (
    SELECT c.*, r.cell_id
      FROM published.cells c
      JOIN exlink.released_cells r ON r.release_key = (SELECT release_key FROM reg)
                                  AND r.figures[4] = c.cell   -- region, team, level, cell
     WHERE r.held_since IS NOT NULL),
ledger AS (
    SELECT h.cell, sum(l.responses) AS responses, count(*) AS members
      FROM held h JOIN exlink.release_ledger l ON l.release_key = (SELECT release_key FROM reg) AND l.cell_id = h.cell_id
     GROUP BY h.cell),
now_rows AS (
    SELECT h.cell, r.employee, count(*) AS responses
      FROM held h JOIN load.raw r ON (h.region IS NULL OR r.region = h.region) AND (h.team IS NULL OR r.team = h.team)
     GROUP BY h.cell, r.employee),
changed AS (
    SELECT h.cell, count(*) FILTER (WHERE l.member IS NULL OR l.responses <> n.responses) AS members
      FROM held h
      JOIN now_rows n ON n.cell = h.cell
      LEFT JOIN exlink.release_ledger l ON l.release_key = (SELECT release_key FROM reg) AND l.cell_id = h.cell_id
                                       AND l.member = n.employee
     GROUP BY h.cell)
SELECT 'held cells match their last release' AS "check", count(*) AS checked,
       count(*) FILTER (WHERE l.responses IS DISTINCT FROM h.responses OR l.members IS DISTINCT FROM h.members) AS failures
  FROM held h LEFT JOIN ledger l USING (cell)
UNION ALL
SELECT 'held cells changed by 1 to k - 1 members', count(*),
       count(*) FILTER (WHERE ch.members IS NULL OR ch.members < 1 OR ch.members >= (SELECT k FROM reg))
  FROM held h LEFT JOIN changed ch USING (cell);
