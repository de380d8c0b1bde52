#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pg_dump / pg_restore keep publications (materialized views, refreshed), their results tables
# (refreshed, and refreshable after the restore), the registries and the custodian's policy rows
# (not the seeded ones, which come with the extension).
set -euo pipefail
# Its publications are snapshots refreshed with the 0.2.0 change ledger: a superuser's opt-in
# (exlink.allow_unsafe_refresh) since 0.3.0, which refuses such refreshes by default.
export PGOPTIONS="${PGOPTIONS:-} -c exlink.allow_unsafe_refresh=on"
bindir="$EXLINK_PGROOT$(pg_config --bindir)"
db=exlink_dump_src
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
dump=$(mktemp "${TMPDIR:-/tmp}/exlink-dump.XXXXXX")
trap 'rm -f "$dump"; q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" >/dev/null 2>&1 || true' EXIT
q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" -c "CREATE DATABASE $db" >/dev/null 2>&1
q -d "$db" <<'SQL' >/dev/null
CREATE EXTENSION exlink CASCADE;
CREATE TABLE src AS SELECT 'r' || (i % 2) AS r, 't' || (i % 4) AS t, 'e' || (i % 40) AS e, i::float8 AS x,
       ((i * 7) % 11)::float8 AS y
  FROM generate_series(1, 400) i;
SELECT exlink.publish('public.cells', 'src', 'e', '{r,t}', '{x,y}', rollup => true);
SELECT exlink.publish_results('public.drivers', 'public.cells', 'x', '{y}');
INSERT INTO exlink.protected_columns (pattern, reason) VALUES ('secret', 'local policy');
SQL
before=$(q -d "$db" -c "SELECT string_agg(cell || '=' || members || '/' || exlink.n(moments), ',' ORDER BY cell COLLATE \"C\") FROM cells")
results="SELECT string_agg(cell || ':' || driver || '=' || round(beta::numeric, 9) || '/' || round(p_value::numeric, 9), ',' ORDER BY cell COLLATE \"C\") FROM drivers"
before_res=$(q -d "$db" -c "$results")
"$bindir/pg_dump" -Fc -f "$dump" "$db"
q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
"$bindir/pg_restore" --exit-on-error -d "${db}_restored" "$dump"
after=$(q -d "${db}_restored" -c "SELECT string_agg(cell || '=' || members || '/' || exlink.n(moments), ',' ORDER BY cell COLLATE \"C\") FROM cells")
after_res=$(q -d "${db}_restored" -c "$results")
refreshed_res=$(q -d "${db}_restored" -c "SELECT exlink.refresh('cells')" -c "$results" | tail -n 1)
registry=$(q -d "${db}_restored" -c "SELECT object || ' ' || k || ' ' || kind FROM exlink.publications")
result_tables=$(q -d "${db}_restored" -c "SELECT object || ' of ' || publication || ' ' || statistic FROM exlink.result_tables")
policy=$(q -d "${db}_restored" -c "SELECT count(*) FILTER (WHERE NOT seeded) || ' ' || count(*) FILTER (WHERE seeded) FROM exlink.protected_columns")
seeded=$(q -d "$db" -c "SELECT count(*) FROM exlink.protected_columns WHERE seeded")
echo "before:   $before"
echo "after:    $after"
echo "results:  $before_res"
echo "restored: $after_res"
echo "refreshed: $refreshed_res"
echo "registry: $registry; $result_tables"
echo "policy:   $policy (custodian rows, seeded rows)"
[ -n "$before" ] && [ "$before" = "$after" ] || { echo "FAILED: cells differ after restore"; exit 1; }
[ "$registry" = "cells 5 materialized" ] || { echo "FAILED: registry not restored"; exit 1; }
[ -n "$before_res" ] && [ "$before_res" = "$after_res" ] || { echo "FAILED: results differ after restore"; exit 1; }
[ "$after_res" = "$refreshed_res" ] || { echo "FAILED: results differ after a refresh of the restored publication"; exit 1; }
[ "$result_tables" = "drivers of cells drivers" ] || { echo "FAILED: results registry not restored"; exit 1; }
[ "$policy" = "1 $seeded" ] || { echo "FAILED: policy rows not restored exactly once"; exit 1; }
echo ok
