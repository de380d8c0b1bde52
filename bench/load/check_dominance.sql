-- make load: the dominance rule (run when the registry has max_member_share): in no released
-- cell does one member hold more than the publication's share of the rows.
WITH lim AS (SELECT least(p.max_member_share, exlink.max_member_share()) AS share
               FROM exlink.publications p WHERE p.object = 'published.cells'::regclass),
per_member AS (
    SELECT region, team, GROUPING(region, team) AS g, count(*) AS rows_of_member
      FROM load.raw
     GROUP BY GROUPING SETS ((region, team, employee), (region, employee), (employee))),
top AS (
    SELECT region, team, g, max(rows_of_member) AS top_rows FROM per_member GROUP BY region, team, g)
SELECT 'released cells within the dominance rule' AS "check", count(*) AS checked,
       count(*) FILTER (WHERE t.top_rows IS NULL OR t.top_rows::float8 / c.responses > (SELECT share FROM lim)) AS failures
  FROM published.cells c
  LEFT JOIN top t ON t.region IS NOT DISTINCT FROM c.region AND t.team IS NOT DISTINCT FROM c.team
                 AND t.g = CASE c.level WHEN 2 THEN 0 WHEN 1 THEN 1 ELSE 3 END;
