-- Rule: every figure a period publication releases is a function of one sealed period's rows
-- and is released once.  A period's cells are computed when it is sealed (its own lattice:
-- k, dominance, complementary suppression) and never recomputed: late rows, a change and a
-- change back, a member moving between teams change no released figure, so subtracting
-- releases isolates nobody.  Hidden cells are never stored: what the analyst can read of the
-- storage (row counts, sizes, statistics) depends on released cells only.
\set SHOW_CONTEXT never
GRANT CREATE ON DATABASE :"DBNAME" TO regress_custodian;
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.sealed_periods TO regress_custodian;
GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean, text, interval, interval),
                          exlink.unpublish(regclass), exlink.refresh(regclass), exlink.seal(regclass, text),
                          exlink.period_status(regclass), exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name) TO regress_custodian;
GRANT SELECT, INSERT, DELETE ON exlink.result_tables TO regress_custodian;
SET ROLE regress_custodian;
CREATE SCHEMA per;
GRANT USAGE ON SCHEMA per TO regress_analyst;
-- Three teams of 6 to 8 employees, two rows each per month, January to March 2025.
CREATE TABLE per.src (team text, employee text, at date, cx float8, ex float8);
INSERT INTO per.src
SELECT t, t || '-' || e, make_date(2025, m, 1 + j * 10), (e * 7 + j + m) % 10, (e * 3 + j) % 7 + 1
  FROM (VALUES ('alpha', 6), ('beta', 7), ('gamma', 8)) AS teams(t, size),
       generate_series(1, size) AS e, generate_series(1, 3) AS m, generate_series(0, 1) AS j;
-- February: a new team of 3 (hidden: fewer than k = 5).
INSERT INTO per.src SELECT 'tiny', 'tiny-' || e, date '2025-02-05', 5, 5 FROM generate_series(1, 3) AS e;

-- Wrong period expressions are refused before anything is made.
SELECT exlink.publish('per.bad', 'per.src', 'employee', '{team}', '{cx}', period => 'date_trunc(''month'', at::timestamptz)');
SELECT exlink.publish('per.bad', 'per.src', 'employee', '{team}', '{cx}', period => '(SELECT max(at) FROM per.src)');
SELECT exlink.publish('per.bad', 'per.src', 'employee', '{team}', '{cx}', period => 'employee', period_length => '1 month');
SELECT exlink.publish('per.bad', 'per.src', 'employee', '{team}', '{cx}', period => 'at', live => true);
SELECT exlink.publish('per.bad', 'per.src', 'employee', '{team}', '{cx}', period_length => '1 month');

-- Monthly, sealed one month after the month's start (plus no grace): every month of 2025 has
-- ended, so publish seals January to March at once.
SELECT exlink.publish('per.monthly', 'per.src', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}',
                      period => 'date_trunc(''month'', at::timestamp)::date', period_length => '1 month');
-- The same cells with roll-up (team totals and the month's total), sealed only on request.
SELECT exlink.publish('per.tree', 'per.src', 'employee', '{team}', '{cx,ex}', rollup => true, grant_to => '{regress_analyst}',
                      force => true, period => 'date_trunc(''month'', at::timestamp)::date');
SELECT period, state, released_cells, rows_at_seal, late_rows FROM exlink.period_status('per.monthly');
SELECT period, state, released_cells FROM exlink.period_status('per.tree');
SELECT exlink.seal('per.tree', '2025-01-01'), exlink.seal('per.tree', '2025-02-01');
-- a period is sealed once
SELECT exlink.seal('per.tree', '2025-01-01');
SELECT exlink.seal('per.tree', 'not a date');
RESET ROLE;

-- The analyst reads an ordinary table (BI tools list it), without the tiny team.
SET ROLE regress_analyst;
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'per' AND table_name IN ('monthly', 'tree') ORDER BY 1;
SELECT period, team, level, responses, members, round(mean_cx::numeric, 4) AS mean_cx FROM per.monthly ORDER BY period, team COLLATE "C";
SELECT period, team, level, members FROM per.tree ORDER BY period, level, team COLLATE "C";
-- must fail: the tiny team (3 members) in any period, at any level
SELECT count(*) AS tiny_cells FROM per.monthly WHERE team = 'tiny';
SELECT count(*) AS tiny_cells FROM per.tree WHERE team = 'tiny';
-- must fail: the tiny team as the February total minus its teams (complementary suppression
-- within the period's lattice: no single hidden team can be derived)
-- (members of the month not in a released team: at least k, or the total is hidden)
SELECT t.period, t.members - sum(c.members) AS members_not_in_released_teams, count(c.*) AS released_teams
  FROM per.tree t LEFT JOIN per.tree c ON c.period = t.period AND c.level = 1
 WHERE t.level = 0 GROUP BY t.period, t.members ORDER BY t.period;
-- must fail: the custodian's registry and status
SELECT count(*) FROM exlink.sealed_periods;
SELECT * FROM exlink.period_status('per.monthly');
SELECT exlink.seal('per.tree', '2025-03-01');
CREATE TEMP TABLE saved AS SELECT period, cell, responses, members, mean_cx, mean_ex, moments::text AS moments FROM per.monthly;
RESET ROLE;
-- positive control: the custodian sees the tiny team in the source
SET ROLE regress_custodian;
SELECT team, count(DISTINCT employee) AS members FROM per.src WHERE team = 'tiny' GROUP BY team;

-- Each period's cells are exactly those of a publication of that period's rows alone: a
-- function of one immutable row set, whatever other periods hold.
CREATE VIEW per.february AS SELECT * FROM per.src WHERE date_trunc('month', at) = date '2025-02-01';
DO $$ BEGIN
    EXECUTE 'CREATE TEMP TABLE alone_cells AS ' || exlink.publish_query('per.february', 'employee', '{team}', '{cx,ex}', 5, true);
END $$;
SELECT (SELECT array_agg(cell || '=' || members || '/' || mean_cx ORDER BY cell COLLATE "C") FROM alone_cells)
     = (SELECT array_agg(cell || '=' || members || '/' || mean_cx ORDER BY cell COLLATE "C") FROM per.tree WHERE period = '2025-02-01') AS february_alone;

-- Late rows and changes after the seal: a change and a change back over three releases (four
-- hires and V join January's alpha; then the hires leave and V adds a row), a member moving
-- from beta to gamma in January, a row deleted.
INSERT INTO per.src SELECT 'alpha', 'alpha-hire' || e, date '2025-01-20', 9, 1 FROM generate_series(1, 4) AS e;
INSERT INTO per.src VALUES ('alpha', 'alpha-V', date '2025-01-20', 2, 7);
SELECT * FROM exlink.refresh('per.monthly');
DELETE FROM per.src WHERE employee LIKE 'alpha-hire%';
INSERT INTO per.src VALUES ('alpha', 'alpha-V', date '2025-01-21', 3, 7);
SELECT * FROM exlink.refresh('per.monthly');
UPDATE per.src SET team = 'gamma' WHERE employee = 'beta-1' AND at < date '2025-02-01';
DELETE FROM per.src WHERE employee = 'gamma-8' AND at = date '2025-03-01';
SELECT * FROM exlink.refresh('per.monthly');
-- The custodian sees the late rows per period (on demand, from the source) and nothing else
-- moved.
SELECT period, state, rows_at_seal, rows_now, late_rows, changed FROM exlink.period_status('per.monthly');
RESET ROLE;

-- must fail: differencing releases (each period's figures are the same before and after the
-- late rows, the change and the change back, and the move: no difference to read)
SET ROLE regress_analyst;
SELECT count(*) AS changed_cells
  FROM per.monthly m FULL JOIN saved s USING (period, cell)
 WHERE s.cell IS NULL OR m.cell IS NULL
    OR (m.responses, m.members, m.mean_cx, m.mean_ex, m.moments::text) IS DISTINCT FROM (s.responses, s.members, s.mean_cx, s.mean_ex, s.moments);
RESET ROLE;

-- A new period: April, with the tiny team back and a new one of 2.  Sealing it appends its
-- released cells only: what the analyst can read of the storage (rows inserted, live rows,
-- pages, size) grows by the released cells, and equals what a twin publication shows whose
-- source never had the hidden teams.
SET ROLE regress_custodian;
-- A results table (the key-driver model per released cell), filled for each period sealed from
-- now on, with its cells, from the same rows.
SELECT exlink.publish_results('per.monthly_drivers', 'per.monthly', 'cx', '{ex}', grant_to => '{regress_analyst}');
CREATE TABLE per.src_twin AS SELECT * FROM per.src;
SELECT exlink.publish('per.twin', 'per.src_twin', 'employee', '{team}', '{cx,ex}', grant_to => '{regress_analyst}',
                      force => true, period => 'date_trunc(''month'', at::timestamp)::date', period_length => '1 month');
INSERT INTO per.src SELECT t, t || '-' || e, date '2025-04-03', (e * 7) % 10, (e * 3) % 7 + 1
  FROM (VALUES ('alpha', 6), ('beta', 7), ('gamma', 8)) AS teams(t, size), generate_series(1, size) AS e;
INSERT INTO per.src_twin SELECT * FROM per.src WHERE at = date '2025-04-03';
-- positive control: the hidden teams are in one source only
INSERT INTO per.src SELECT 'tiny', 'tiny-' || e, date '2025-04-04', 5, 5 FROM generate_series(1, 3) AS e;
INSERT INTO per.src SELECT 'pair', 'pair-' || e, date '2025-04-04', 1, 1 FROM generate_series(1, 2) AS e;
SELECT count(DISTINCT employee) FILTER (WHERE team IN ('tiny', 'pair')) AS hidden_members_in_src,
       (SELECT count(*) FROM per.src_twin WHERE team IN ('tiny', 'pair') AND at >= date '2025-04-01') AS in_twin
  FROM per.src WHERE at >= date '2025-04-01';
SELECT * FROM exlink.refresh('per.monthly');
SELECT * FROM exlink.refresh('per.twin');
ANALYZE per.monthly, per.twin;
SELECT pg_stat_force_next_flush();
RESET ROLE;
SET ROLE regress_analyst;
SELECT pg_stat_clear_snapshot();
-- Statistics reach the shared store asynchronously (a backend's pending counters, an autovacuum
-- worker's): wait up to 10 s for the two publications' counters to agree before comparing them
-- below.  A real difference persists, and the comparison then shows it.
DO $$
BEGIN
    FOR i IN 1..40 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN NOT EXISTS (
            SELECT a.n_tup_ins, a.n_live_tup, a.n_tup_upd, a.n_tup_del, pg_relation_size(a.relid), c.relpages, c.reltuples
              FROM pg_stat_user_tables a JOIN pg_class c ON c.oid = a.relid
             WHERE a.schemaname = 'per' AND a.relname = 'monthly_20250401'
            EXCEPT
            SELECT b.n_tup_ins, b.n_live_tup, b.n_tup_upd, b.n_tup_del, pg_relation_size(b.relid), c.relpages, c.reltuples
              FROM pg_stat_user_tables b JOIN pg_class c ON c.oid = b.relid
             WHERE b.schemaname = 'per' AND b.relname = 'twin_20250401');
        PERFORM pg_sleep(0.25);
    END LOOP;
END $$;
SELECT pg_stat_clear_snapshot();
-- must fail: any counter, size or statistic that differs between the publication whose source
-- had the hidden teams and its twin (for every partition, and the parent)
SELECT a.relname, a.n_tup_ins, a.n_live_tup, a.n_tup_upd, a.n_tup_del,
       pg_relation_size(a.relid) AS size, c.relpages, c.reltuples
  FROM pg_stat_user_tables a JOIN pg_class c ON c.oid = a.relid
 WHERE a.schemaname = 'per' AND a.relname = 'monthly_20250401'
EXCEPT
SELECT replace(b.relname, 'twin_', 'monthly_'), b.n_tup_ins, b.n_live_tup, b.n_tup_upd, b.n_tup_del,
       pg_relation_size(b.relid), c.relpages, c.reltuples
  FROM pg_stat_user_tables b JOIN pg_class c ON c.oid = b.relid
 WHERE b.schemaname = 'per' AND b.relname = 'twin_20250401';
-- what the analyst reads of April's partition: its released cells, no more
SELECT a.relname, a.n_tup_ins, (SELECT count(*) FROM per.monthly WHERE period = '2025-04-01') AS released
  FROM pg_stat_user_tables a WHERE a.schemaname = 'per' AND a.relname = 'monthly_20250401';
-- the index sizes of both publications are equal too
SELECT count(*) AS differing_indexes
  FROM pg_stat_user_indexes a JOIN pg_stat_user_indexes b ON replace(b.indexrelname, 'twin_', 'monthly_') = a.indexrelname
 WHERE a.schemaname = 'per' AND b.schemaname = 'per' AND a.relname = 'monthly_20250401' AND b.relname = 'twin_20250401'
   AND pg_relation_size(a.indexrelid) <> pg_relation_size(b.indexrelid);
SELECT period, team, members FROM per.monthly WHERE period = '2025-04-01' ORDER BY team COLLATE "C";
RESET ROLE;
-- The results of April's released cells (none of the periods sealed before the results table,
-- none of a hidden team), equal to the model the custodian fits on the cell's rows.
SET ROLE regress_analyst;
SELECT period, team, members, driver, round(beta::numeric, 6) AS beta, clusters, status FROM per.monthly_drivers ORDER BY period, team COLLATE "C";
RESET ROLE;
-- p_adjusted: Benjamini-Hochberg over the p-values of one sealed period (the family), as the
-- definition gives it (the least m p_j / rank_j over the period's p_j >= p).
SELECT x.period, count(x.p_value) AS in_family, max(abs(x.p_adjusted - (
           SELECT min(least(1, (SELECT count(p_value) FROM per.monthly_drivers c WHERE c.period = x.period)::float8 * y.p_value
                               / (SELECT count(*) FROM per.monthly_drivers z WHERE z.period = x.period AND z.p_value <= y.p_value)))
             FROM per.monthly_drivers y WHERE y.period = x.period AND y.p_value >= x.p_value))) AS max_diff_from_definition,
       bool_and((x.p_adjusted IS NULL) = (x.p_value IS NULL)) AS null_where_no_p
  FROM per.monthly_drivers x GROUP BY x.period ORDER BY x.period;
SET ROLE regress_custodian;
SELECT round(d.beta::numeric, 6) AS alpha_april_beta
  FROM (SELECT exlink.driver_weights(cx, ARRAY[ex], employee, '{ex}') AS m FROM per.src
         WHERE team = 'alpha' AND at >= date '2025-04-01') s, exlink.drivers(s.m) d;
RESET ROLE;

-- Cumulative and rolling figures: views that merge each cell's released figures over windows
-- of sealed periods (exact merges of released cells only; guarded by construction).
SET ROLE regress_custodian;
SELECT exlink.publish_window('per.monthly_quarters', 'per.monthly', 'quarter', grant_to => '{regress_analyst}');
SELECT exlink.publish_window('per.monthly_last2', 'per.monthly', 'last 2', grant_to => '{regress_analyst}');
SELECT exlink.publish_window('per.bad', 'per.monthly', 'fortnight');
SELECT count(*) AS audit_findings FROM exlink.audit_view('per.monthly_quarters');
RESET ROLE;
SET ROLE regress_analyst;
SELECT window_start, team, periods, responses, members_at_least, round(mean_cx::numeric, 6) AS mean_cx, exlink.n(moments) = responses AS n_matches
  FROM per.monthly_quarters ORDER BY window_start, team COLLATE "C";
SELECT window_start, window_end, team, periods, responses FROM per.monthly_last2 ORDER BY window_end, team COLLATE "C";
-- the quarter's mean is the exact merge of the months' released cells
SELECT round(((sum(responses * mean_cx) / sum(responses)) - (SELECT mean_cx FROM per.monthly_quarters WHERE team = 'alpha' AND window_start = '2025-01-01'))::numeric, 12) AS difference
  FROM per.monthly WHERE team = 'alpha' AND period < '2025-04-01';
-- must fail: the windows hold nothing the publication does not (no hidden team)
SELECT count(*) AS tiny_or_pair FROM per.monthly_quarters WHERE team IN ('tiny', 'pair');
RESET ROLE;
SET ROLE regress_custodian;
DROP VIEW per.monthly_quarters, per.monthly_last2;
RESET ROLE;

-- A snapshot publication (no period) is published once: its refresh is refused, unless a
-- superuser opts in to the 0.2.0 change-ledger refresh.
GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.released_cells, exlink.release_ledger TO regress_custodian;
SET ROLE regress_custodian;
SELECT exlink.publish('per.snapshot', 'per.src', 'employee', '{team}', '{cx,ex}', force => true);
-- must fail: refresh of a snapshot
SELECT * FROM exlink.refresh('per.snapshot');
REFRESH MATERIALIZED VIEW per.snapshot;
-- must fail: a non-superuser cannot opt in
SET exlink.allow_unsafe_refresh = on;
RESET ROLE;
SET exlink.allow_unsafe_refresh = on;
SET ROLE regress_custodian;
SELECT released + unchanged + held + hidden > 0 AS refreshed FROM exlink.refresh('per.snapshot');
RESET ROLE;
RESET exlink.allow_unsafe_refresh;

SET ROLE regress_custodian;
SELECT exlink.unpublish('per.snapshot'), exlink.unpublish('per.monthly_drivers'), exlink.unpublish('per.monthly'), exlink.unpublish('per.tree'), exlink.unpublish('per.twin');
SELECT count(*) AS partitions_left FROM pg_class WHERE relnamespace = 'per'::regnamespace AND relkind IN ('r', 'p') AND relname NOT LIKE 'src%';
SELECT count(*) AS registry_left FROM exlink.sealed_periods;
DROP SCHEMA per CASCADE;
RESET ROLE;
-- (the fixture's grants stay for the later tests)
REVOKE ALL ON exlink.sealed_periods FROM regress_custodian;
REVOKE ALL ON FUNCTION exlink.seal(regclass, text), exlink.period_status(regclass) FROM regress_custodian;
