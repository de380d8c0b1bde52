-- Rule: no non-superuser can lower k (SET, SET LOCAL, set_config, ALTER ROLE ... SET on the own
-- role, PGOPTIONS, a function SET clause, a k argument); publications bake their k in.
-- (Placeholders set before the library loads: test/shell/threshold.sh, on a second cluster.)
-- make installcheck on a server without exlink in shared_preload_libraries: the expected output
-- is security_threshold_1.out (the SETs before the library loads only set a placeholder, which
-- the library then refuses with a warning: k stays 5).
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
SELECT 'exlink' = ANY (string_to_array(current_setting('shared_preload_libraries'), ',')) AS exlink_preloaded;
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET ROLE regress_analyst;
CREATE TEMP TABLE four AS SELECT 'e' || (i % 4) AS m, i::float8 AS x FROM generate_series(1, 20) i;
-- must fail: threshold bypass by SET
SET exlink.min_group_size = 2;
-- must fail: threshold bypass by SET LOCAL
BEGIN;
SET LOCAL exlink.min_group_size = 2;
ROLLBACK;
-- must fail: threshold bypass by set_config
SELECT set_config('exlink.min_group_size', '2', false);
SELECT set_config('exlink.min_group_size', '2', true);
-- must fail: threshold bypass by ALTER ROLE ... SET on the own role, and by ALTER DATABASE
ALTER ROLE regress_analyst SET exlink.min_group_size = 2;
ALTER ROLE regress_analyst IN DATABASE :"DBNAME" SET exlink.min_group_size = 2;
ALTER DATABASE :"DBNAME" SET exlink.min_group_size = 2;
-- must fail: threshold bypass by a function SET clause
CREATE FUNCTION pg_temp.low_k() RETURNS integer LANGUAGE sql SET exlink.min_group_size = 2
    AS 'SELECT exlink.min_group_size()';
-- must fail: threshold bypass by a k argument below the setting (it can only raise k)
SELECT exlink.guarded_count(m, 2) AS count_k2, exlink.members_at_least(m, 2) AS at_least_k2,
       exlink.moments(ARRAY[x], m, 2) IS NULL AS moments_k2_suppressed FROM four;
-- must fail: a made-up setting under the reserved prefix
SET exlink.min_group_size_override = 2;
SELECT current_setting('exlink.min_group_size') AS setting, exlink.min_group_size() AS k,
       (SELECT exlink.guarded_count(m) FROM four) AS four_members_count;
RESET ROLE;
SELECT count(*) AS role_settings FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname = 'regress_analyst';

-- must fail: threshold bypass by PGOPTIONS at connection time (a new backend, as the analyst)
\setenv PGDATABASE :DBNAME
\! PGPASSWORD=regress_analyst PGOPTIONS='-c exlink.min_group_size=2' psql -X -q -At -U regress_analyst -c "SELECT exlink.min_group_size()" 2>&1 | sed 's/.*FATAL: */FATAL: /'

-- Publications bake k in: a k = 7 publication (teams of 12 and 7 released) keeps 7 even when a
-- superuser session lowers the setting to its floor and refreshes; a setting of 8 at refresh
-- raises it (effective k = max(baked k, setting)).
SET ROLE regress_custodian;
SELECT exlink.publish('published.teams_k7', 'linked.cx', 'employee', '{team}', '{csat}', k => 7, force => true);
\set VERBOSITY default
-- must fail: a publication with k below the setting
SELECT exlink.publish('published.teams_k3', 'linked.cx', 'employee', '{team}', '{csat}', k => 3, force => true);
\set VERBOSITY terse
SELECT team, members FROM published.teams_k7 ORDER BY team COLLATE "C";
RESET ROLE;
SET exlink.min_group_size = 2;
REFRESH MATERIALIZED VIEW published.teams_k7;
SELECT team, members FROM published.teams_k7 ORDER BY team COLLATE "C";
SET exlink.min_group_size = 8;
REFRESH MATERIALIZED VIEW CONCURRENTLY published.teams_k7;
SELECT team, members, exlink.n(moments) IS NOT NULL AS moments_released FROM published.teams_k7 ORDER BY team COLLATE "C";
RESET exlink.min_group_size;
SELECT k FROM exlink.publications WHERE object = 'published.teams_k7'::regclass;
SET ROLE regress_custodian;
SELECT exlink.unpublish('published.teams_k7');
RESET ROLE;
