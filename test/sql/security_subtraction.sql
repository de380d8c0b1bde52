-- Rule: no suppressed cell can be derived by subtracting released figures (totals, parents,
-- 'all but one' filters, merged moments), and no second overlapping grain of one source is
-- published.  As the analyst, then checked against the raw rows as the custodian.
\set SHOW_CONTEXT never
SET ROLE regress_analyst;

-- must fail: parent minus its released children.  The residual is the union of at least two
-- suppressed children covering at least k members, none holding more than
-- exlink.max_member_share of its rows (north: alpha had to be suppressed with beta; south: zeta +
-- solo would be 40 of 52 rows solo-1's, and with eps, gamma and delta still more than half, so
-- all of south's teams are withheld).
SELECT p.region, p.members AS parent_members, p.responses - coalesce(sum(c.responses), 0) AS residual_responses,
       p.members - coalesce(sum(c.members), 0) AS residual_members_at_least
  FROM published.cx_cells p
  LEFT JOIN published.cx_cells c ON c.level = 2 AND c.region = p.region
 WHERE p.level = 1
 GROUP BY p.region, p.members, p.responses ORDER BY p.region COLLATE "C";
-- must fail: grand total minus the regions (all released: nothing hidden there)
SELECT t.responses - sum(r.responses) AS residual FROM published.cx_cells t, published.cx_cells r
 WHERE t.level = 0 AND r.level = 1 GROUP BY t.responses;
-- must fail: merged moments of 'all but one' released children against the parent
SELECT p.region, max(exlink.n(p.moments)) - coalesce(exlink.n(exlink.merge(c.moments)), 0) AS residual_n,
       round((max(exlink.n(p.moments) * (exlink.means(p.moments))[1]) - coalesce(sum(c.responses * c.mean_csat), 0))::numeric, 6) AS residual_csat_sum
  FROM published.cx_cells p LEFT JOIN published.cx_cells c ON c.level = 2 AND c.region = p.region AND c.team <> 'gamma'
 WHERE p.level = 1 GROUP BY p.region ORDER BY p.region COLLATE "C";
-- must fail: catalog metadata minus released cells.  Every role can read a source's row count
-- (pg_class.reltuples, pg_stat_user_tables.n_live_tup); without roll-up the grand total is still
-- the parent of every cell, so the residual covers s2 and its complement s7 (36 rows, 9 members).
SELECT c.reltuples - (SELECT sum(responses) FROM published.stores) AS residual_rows
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'linked' AND c.relname = 'stores';
RESET ROLE;

-- The custodian checks every residual against the raw rows: at least two suppressed children,
-- together at least k distinct members, the largest holding at most half of the rows.
WITH released AS (SELECT region, team FROM published.cx_cells WHERE level = 2),
     raw AS (SELECT region, team, employee FROM linked.cx WHERE employee <> '' AND csat < 'NaN' AND engagement < 'NaN')
SELECT r.region, count(DISTINCT r.team) AS suppressed_children, count(DISTINCT r.employee) AS suppressed_members,
       round((SELECT max(t.n) FROM (SELECT count(*) AS n FROM raw r2 LEFT JOIN released x2 USING (region, team)
                                     WHERE x2.team IS NULL AND r2.region = r.region GROUP BY r2.employee) t)::numeric / count(*), 2) AS top_member_share
  FROM raw r LEFT JOIN released x USING (region, team)
 WHERE x.team IS NULL AND r.region IN (SELECT region FROM published.cx_cells WHERE level = 1)
 GROUP BY r.region ORDER BY r.region COLLATE "C";

-- Complementary suppression rules, cell by cell (keys, parents, members, k).
SELECT exlink.complementary_suppression('{T,A,B}', '{NULL,T,T}', '{15,12,3}', 5) AS north_like;
SELECT exlink.complementary_suppression('{T,A,B,C}', '{NULL,T,T,T}', '{16,12,3,1}', 5) AS two_small_but_under_k;
SELECT exlink.complementary_suppression('{T,A,B,C}', '{NULL,T,T,T}', '{20,12,3,5}', 5) AS smallest_sibling_goes;
SELECT exlink.complementary_suppression('{T,A,B}', '{NULL,T,T}', '{20,10,10}', 5) AS nothing_to_do;
-- Up the hierarchy: a region suppressed to protect its sibling needs its own teams protected.
SELECT exlink.complementary_suppression('{T,R1,R2,a,b,c,d}', '{NULL,T,T,R1,R1,R2,R2}', '{40,3,37,1,2,30,7}', 5) AS up_and_down;
-- R2 is suppressed to protect R1; it must not be derivable from its teams, so two of them go.
SELECT exlink.complementary_suppression('{T,R1,R2,a,b,c}', '{NULL,T,T,R2,R2,R2}', '{30,3,27,6,7,14}', 5) AS suppressed_parent_not_derivable;
SELECT exlink.complementary_suppression('{}', '{}', '{}', 5) AS empty;
-- The stores publication (no roll-up): the hidden grand total is the parent of every store.
SELECT store, count(DISTINCT employee) AS members,
       store IN (SELECT store FROM published.stores) AS released
  FROM linked.stores GROUP BY store ORDER BY store COLLATE "C";
\set VERBOSITY terse
SELECT exlink.complementary_suppression('{a}', '{}', '{1}', 5);
SELECT exlink.complementary_suppression('{a}', '{NULL}', '{1}', 1);
SELECT exlink.complementary_suppression('{a,a}', '{NULL,NULL}', '{9,9}', 5);
SELECT exlink.complementary_suppression('{a,NULL}', '{NULL,a}', '{9,9}', 5);
-- parents that are no hierarchy (a cycle, a cell its own parent): 22023, not everything suppressed
SELECT exlink.complementary_suppression('{T,A,B}', '{B,T,A}', '{20,10,10}', 5);
SELECT exlink.complementary_suppression('{T,A}', '{NULL,A}', '{20,10}', 5);
\set VERBOSITY default

-- must fail: a second, overlapping grain of the same source is refused, and says why
SET ROLE regress_custodian;
SELECT exlink.publish('published.cx_by_region', 'linked.cx', 'employee', '{region}', '{csat}');
-- must fail: the same grain over other measures, or another member column, is another row set
-- (listwise deletion keeps the rows complete in the measures): the same cell published over two
-- row sets differs by the rows of a few members (here beta-1's row with a NULL csat), so it is
-- refused like another grain
SELECT exlink.publish('published.cx_engagement', 'linked.cx', 'employee', '{region,team}', '{engagement}', rollup => true);
SELECT exlink.publish('published.cx_counts', 'linked.cx', 'employee', '{region,team}', '{}', rollup => true);
SELECT exlink.publish('published.cx_by_store_member', 'linked.cx', 'store', '{region,team}', '{csat,engagement}', rollup => true);
-- must fail: a live twin of a materialized grain (live minus materialized = every change since
-- the last refresh); the fixture forced one, so a further twin of this grain is refused too
SELECT exlink.publish('published.cx_live_twin', 'linked.cx', 'employee', '{region,team}', '{csat,engagement}', rollup => true, live => true);
-- the same measures in another order are the same rows: the only overlap named is the live twin
SELECT exlink.publish('published.cx_cells_again', 'linked.cx', 'employee', '{region,team}', '{engagement,csat}', rollup => true);
-- forced, it is recorded as such
SELECT exlink.publish('published.cx_by_store', 'linked.cx', 'employee', '{store}', '{csat}', force => true);
SELECT object, forced FROM exlink.publications WHERE object = 'published.cx_by_store'::regclass;
SELECT exlink.unpublish('published.cx_by_store');
RESET ROLE;
