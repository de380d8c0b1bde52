-- Rule: no released figure covers fewer than k (= 5) distinct members.  Rows are not members;
-- NULL or empty members never count; the k-1 / k / k+1 boundaries hold.  As the analyst.
\set SHOW_CONTEXT never
SET ROLE regress_analyst;

-- What the analyst sees: released cells only.
SELECT region, team, level, responses, members, round(mean_csat::numeric, 4) AS mean_csat,
       exlink.n(moments) AS n, exlink.members(moments) AS moments_members
  FROM published.cx_cells ORDER BY level, region COLLATE "C", team COLLATE "C";

-- must fail: small groups (beta: 3 employees, zeta: 4 = k - 1) are not in the publication
SELECT team FROM published.cx_cells WHERE team IN ('beta', 'zeta');
-- must fail: rows vs members (solo: one agent with 40 responses is one member)
SELECT team, responses FROM published.cx_cells WHERE team = 'solo';
-- must fail: the 2-employee store
SELECT store FROM published.stores WHERE store = 's2';
-- The boundaries: kplus (6 = k + 1) is released, eps (5 = k) would be but is a complement now:
-- zeta + solo, south's withheld teams, would be 77 % solo-1's rows (security_subtraction); every
-- released cell has >= k members.
SELECT team, members FROM published.cx_cells WHERE team IN ('eps', 'kplus') ORDER BY team COLLATE "C";
SELECT min(members) >= 5 AS every_cell_at_least_k FROM published.cx_cells;
-- (s7 is suppressed too, as the complement of s2: see security_subtraction.)
SELECT store, members FROM published.stores ORDER BY store COLLATE "C";

-- must fail: the live view releases the same cells, no more
SELECT count(*) AS live_cells, bool_and(members >= 5) AS all_at_least_k,
       count(*) FILTER (WHERE team IN ('beta', 'zeta', 'solo')) AS small_teams
  FROM published.cx_live;

-- must fail: the guarded aggregates over rows the analyst builds: 40 rows of one member, 4 members
SELECT exlink.guarded_count(m), exlink.guarded_avg(x, m), exlink.nps(10, m), exlink.members_at_least(m, NULL)
  FROM (SELECT 'agent' AS m, i::float8 AS x FROM generate_series(1, 40) i) t;
SELECT exlink.guarded_count(m), exlink.members_at_least(m, NULL)
  FROM (SELECT 'e' || (i % 4) AS m FROM generate_series(1, 40) i) t;
-- must fail: NULL and empty members never count
SELECT exlink.guarded_count(m), exlink.members_at_least(m, NULL)
  FROM (VALUES ('a'), ('b'), ('c'), ('d'), (NULL), (''), (NULL), ('')) t(m);
RESET ROLE;
