-- analyst: merge the team cells of a region into one moments value, read n and the means; then
-- check from the analyst's side that no released cell is below k (a failing statement if so).
\set r random(0, 9)
SELECT exlink.n(m), exlink.means(m)
  FROM (SELECT exlink.merge(moments) AS m FROM published.cells WHERE level = 2 AND region = 'r' || :r) s;
SELECT coalesce(min(members), 1000) AS min_members FROM published.cells \gset
\if :min_members < 5
SELECT 'a released cell covers fewer than k members'::int;
\endif
