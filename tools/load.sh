#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make load: a concurrent load on one publication (run through tools/with-cluster.sh), then a
# checker. Four pgbench runs at once, for LOAD_SECONDS (180):
#   analysts   LOAD_ANALYSTS (8) clients as the analyst role: merge, correlation and drivers on
#              the published cells (bench/load/analyst_*.sql), each checking k from its side
#   refresh    one client: the refresh path, back to back (bench/load/refresh.sql; exlink.refresh
#              instead of REFRESH ... CONCURRENTLY when the extension has it)
#   insert     LOAD_INSERTERS (2) clients, LOAD_INSERT_RATE (20) transactions a second in all, of
#              20 new rows each, pseudonymized with the current key (bench/load/insert.sql)
#   rotate     one client: a key rotation every LOAD_ROTATE_MS (200) ms (bench/load/rotate.sql)
# Then one last refresh and bench/load/check.sql: every published cell recounted from the raw
# rows, k held by every refresh, every row pseudonymized with the key in force; where the
# extension has them, the refresh guard (bench/load/check_held.sql: cells held back match the
# ledger and were held for 1 to k - 1 changed members) and the dominance rule
# (bench/load/check_dominance.sql).
# Prints tps per script and errors; fails on any error or failed check.
# Output: results/load/ (pgbench logs, checks.txt, summary.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${LOAD_OUT:-$PWD/results/load}
rm -rf "$out"; mkdir -p "$out"
seconds=${LOAD_SECONDS:-180}
analysts=${LOAD_ANALYSTS:-8}
inserters=${LOAD_INSERTERS:-2}
rotate_ms=${LOAD_ROTATE_MS:-200}
insert_rate=${LOAD_INSERT_RATE:-20}
db=exlink_load
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
# its publication is a snapshot refreshed with the 0.2.0 change ledger: the superuser's opt-in
q -d postgres -c "ALTER DATABASE $db SET exlink.allow_unsafe_refresh = on" >/dev/null
echo "load: setting up $db (100,000 linked rows, one publication with roll-up)"
q -d "$db" -f bench/load/setup.sql >"$out/setup.log" 2>&1 || { cat "$out/setup.log"; exit 1; }
# The refresh path: exlink.refresh when this version has it, else REFRESH ... CONCURRENTLY.
cp bench/load/refresh.sql "$out/refresh.sql"
if [ "$(q -d "$db" -c "SELECT count(*) FROM pg_proc WHERE proname = 'refresh' AND pronamespace = 'exlink'::regnamespace")" != 0 ]; then
    sed -i 's/^REFRESH MATERIALIZED VIEW CONCURRENTLY published.cells;/SELECT exlink.refresh('"'"'published.cells'"'"');/' "$out/refresh.sql"
fi
refresh_sql=$(grep -v '^--' "$out/refresh.sql" | head -n 1)
echo "load: refresh path: $refresh_sql"

rate=$(( 1000 / rotate_ms ))
pgb() { local name=$1; shift; pgbench -n -d "$db" -T "$seconds" -j 1 "$@" >"$out/$name.log" 2>&1; echo $? >"$out/$name.rc"; }
echo "load: $seconds s: $analysts analysts, 1 refresher, $inserters inserters ($insert_rate batches/s), a key rotation every $rotate_ms ms"
pgb analysts -U exlink_load_analyst -c "$analysts" -f bench/load/analyst_merge.sql@1 \
    -f bench/load/analyst_correlation.sql@1 -f bench/load/analyst_drivers.sql@1 &
pgb refresh -c 1 -f "$out/refresh.sql" &
pgb insert -c "$inserters" -R "$insert_rate" -f bench/load/insert.sql &
pgb rotate -c 1 -R "$rate" -f bench/load/rotate.sql &
wait

status=0
{
    echo "make load: $(date -u '+%Y-%m-%d %H:%M UTC'), $seconds s, $analysts analysts, $inserters inserters, rotation every $rotate_ms ms"
    for name in analysts refresh insert rotate; do
        tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out/$name.log")
        txs=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out/$name.log")
        errors=$(grep -cE 'ERROR|aborted' "$out/$name.log" || true)
        printf '%-9s %8s transactions, %8s tps, errors %s, exit %s\n' "$name" "${txs:-?}" "${tps:-?}" "$errors" "$(cat "$out/$name.rc")"
        awk '/^SQL script [0-9]+:/ { s = $NF; sub(".*/", "", s) }
             / - [0-9]+ transactions/ && s != "" { sub(/^ *- */, ""); printf "          %-24s %s\n", s, $0 }' "$out/$name.log"
        grep -E 'ERROR|aborted' "$out/$name.log" | head -n 5 | sed 's/^/          /'
        [ "$errors" = 0 ] && [ "$(cat "$out/$name.rc")" = 0 ] || status=1
    done
} | tee "$out/summary.txt"
grep -q 'errors [1-9]\|exit [1-9]' "$out/summary.txt" && status=1

echo "load: last refresh, then the checker"
q -d "$db" -c "$refresh_sql" >/dev/null || status=1
checks=(bench/load/check.sql)
# The cells whose figures are the last refresh's: all, or, under a refresh guard (a ledger),
# those not held back; the held ones are checked against the ledger.
echo "CREATE TEMP VIEW current_cells AS SELECT * FROM published.cells;" >"$out/prelude.sql"
if [ "$(q -d "$db" -c "SELECT to_regclass('exlink.release_ledger') IS NOT NULL")" = t ]; then
    cat >"$out/prelude.sql" <<'SQL'
CREATE TEMP VIEW current_cells AS
SELECT c.* FROM published.cells c
 WHERE NOT EXISTS (SELECT FROM exlink.released_cells r JOIN exlink.publications p ON p.release_key = r.release_key
                    WHERE p.object = 'published.cells'::regclass AND r.figures[4] = c.cell AND r.held_since IS NOT NULL);
SQL
    checks+=(bench/load/check_held.sql)
fi
# the dominance rule, where this version has it
[ "$(q -d "$db" -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'exlink.publications'::regclass AND attname = 'max_member_share'")" = 1 ] \
    && checks+=(bench/load/check_dominance.sql)
failures=0
for c in "${checks[@]}"; do
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$out/prelude.sql" -f "$c" | tee -a "$out/checks.txt" | tee -a "$out/summary.txt"
    f=$(q -d "$db" -f "$out/prelude.sql" -f "$c" | awk -F'|' '{s += $3} END {print s + 0}')
    failures=$((failures + ${f:-1}))
done
rows=$(q -d "$db" -c "SELECT count(*) FROM load.raw")
versions=$(q -d "$db" -c "SELECT count(*) FROM exlink.pseudonym_keys WHERE domain = 'linkage'")
refreshes=$(q -d "$db" -c "SELECT count(*) FROM load.history")
echo "rows at the end: $rows; key versions: $versions; refreshes: $refreshes; failed checks: $failures" | tee -a "$out/summary.txt"
[ "$failures" = 0 ] || status=1
[ "$refreshes" -gt 0 ] || { echo "load: no refresh completed"; status=1; }
echo
echo "load: $([ $status -eq 0 ] && echo passed || echo FAILED) (results/load/summary.txt)"
exit $status
