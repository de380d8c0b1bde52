-- make load: the checker, run after the load and one last refresh. One row per check: its name,
-- what was checked, and the number of failures (tools/load.sh fails on any). current_cells
-- (a temporary view made by tools/load.sh) is the published cells whose figures are those of
-- the last refresh: all of them, or, under a refresh guard, those not held back
-- (check_held.sql checks the others).
WITH reg AS (SELECT k FROM exlink.publications WHERE object = 'published.cells'::regclass),
recount AS (
    SELECT c.cell, count(*) AS responses, count(DISTINCT r.employee) AS members,
           avg(r.cx) AS mean_cx, avg(r.ex1) AS mean_ex1, avg(r.ex2) AS mean_ex2, avg(r.ex3) AS mean_ex3
      FROM current_cells c
      JOIN load.raw r ON (c.region IS NULL OR r.region = c.region) AND (c.team IS NULL OR r.team = c.team)
     GROUP BY c.cell),
cells AS (
    SELECT c.*, r.responses AS r_responses, r.members AS r_members,
           abs(c.mean_cx - r.mean_cx) + abs(c.mean_ex1 - r.mean_ex1) + abs(c.mean_ex2 - r.mean_ex2)
             + abs(c.mean_ex3 - r.mean_ex3) AS mean_diff,
           exlink.n(c.moments) AS m_n, exlink.means(c.moments) AS m_means,
           ARRAY[r.mean_cx, r.mean_ex1, r.mean_ex2, r.mean_ex3] AS r_means
      FROM current_cells c LEFT JOIN recount r USING (cell)),
pseudonyms AS (
    SELECT t.id, r.employee = exlink.pseudonymize(t.raw_id, 'linkage', t.seen_version)
             OR EXISTS (SELECT FROM exlink.pseudonym_keys k
                         WHERE k.domain = 'linkage' AND k.version > t.seen_version
                           AND r.employee = exlink.pseudonymize(t.raw_id, 'linkage', k.version)) AS ok
      FROM load.truth t JOIN load.raw r USING (id))
SELECT 'cells recounted exactly' AS "check", count(*) AS checked,
       count(*) FILTER (WHERE r_responses IS DISTINCT FROM responses OR r_members IS DISTINCT FROM members
                          OR m_n IS DISTINCT FROM responses OR NOT (mean_diff < 1e-9)
                          OR (SELECT max(abs(a - b)) FROM unnest(m_means, r_means) u(a, b)) >= 1e-9) AS failures
  FROM cells
UNION ALL
SELECT 'released cells with at least k members', count(*), count(*) FILTER (WHERE members < (SELECT k FROM reg) OR members IS NULL)
  FROM published.cells
UNION ALL
SELECT 'refreshes during the load with every cell at least k', count(*), count(*) FILTER (WHERE min_members < (SELECT k FROM reg))
  FROM load.history
UNION ALL
SELECT 'rows pseudonymized with the key in force (or newer)', count(*), count(*) FILTER (WHERE NOT ok)
  FROM pseudonyms
UNION ALL
SELECT 'rows in the source without a record', count(*), count(*) FILTER (WHERE t.id IS NULL)
  FROM load.raw r LEFT JOIN load.truth t USING (id);
