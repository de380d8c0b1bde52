#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# kill -9 of the backend in the middle of exlink.publish and in the middle of a refresh: after
# the server's crash recovery, the publication and the registry are consistent (nothing
# half-made: no view, index or registry row of an unfinished publish; the previous cells of an
# unfinished refresh, exactly), and publish and refresh work again.
# Timing is deterministic: the source is a view that takes a shared advisory lock on one row;
# a second session holds that lock exclusively, so the victim blocks in the middle of reading
# the source (inside CREATE MATERIALIZED VIEW, or inside the refresh), where it is killed.
# The server log keeps "terminated by signal 9" lines: make sanitize does not count those.
set -euo pipefail
# Its publications are snapshots refreshed with the 0.2.0 change ledger: a superuser's opt-in
# (exlink.allow_unsafe_refresh) since 0.3.0, which refuses such refreshes by default.
export PGOPTIONS="${PGOPTIONS:-} -c exlink.allow_unsafe_refresh=on"
db=exlink_crash
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q -d "$db" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION exlink CASCADE;
CREATE TABLE raw AS
    SELECT i AS id, 'team' || (i % 4) AS team, 'e' || (i % 40) AS employee, (i % 7)::float8 AS cx
      FROM generate_series(1, 4000) i;
-- Reading row 2000 waits for advisory lock 4242 (shared), then goes on.
CREATE VIEW src AS
    SELECT team, employee, cx FROM raw
     WHERE CASE WHEN id = 2000 THEN pg_advisory_xact_lock_shared(4242)::text IS NOT NULL ELSE true END;
-- the throwaway cluster runs with synchronous_commit = off: make the set-up durable before the
-- first kill -9 (it once lost the view src)
CHECKPOINT;
SQL

snapshot() {   # registry, publication objects, cells: one line each
    q -d "$db" 2>&1 <<'SQL'
SELECT 'registry: ' || coalesce(string_agg(object::text || ' ' || kind || ' k=' || k, ', ' ORDER BY object::text), '-') FROM exlink.publications;
SELECT 'objects: ' || coalesce(string_agg(c.relname || ':' || c.relkind::text, ', ' ORDER BY c.relname), '-')
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'cells%';
SELECT 'stale registry rows: ' || count(*) FROM exlink.publications p WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = p.object);
-- every row of every configuration table of the extension (the registry, and any ledger)
DO $$
DECLARE t regclass; n bigint; h text;
BEGIN
    FOR t IN SELECT unnest(extconfig)::regclass FROM pg_extension WHERE extname = 'exlink' ORDER BY 1::text LOOP
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text COLLATE "C"), '''')) FROM %s x', t)
            INTO n, h;
        RAISE NOTICE 'table % rows % %', t, n, h;
    END LOOP;
END $$;
SQL
    if [ "$(q -d "$db" -c "SELECT to_regclass('public.cells') IS NOT NULL")" = t ]; then
        q -d "$db" -c "SELECT 'cells: ' || string_agg(cell || '=' || members || '/' || exlink.n(moments), ',' ORDER BY cell COLLATE \"C\") FROM public.cells"
    else
        echo "cells: -"
    fi
}

wait_ready() {
    for _ in $(seq 1 240); do
        q -d "$db" -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    echo "FAILED: the server did not come back"; exit 1
}

# kill_during SQL: run SQL in a victim session while another session holds the lock, wait until
# the victim waits for it (so it is mid-statement), kill -9 the victim's backend, recover.
kill_during() {
    local sql=$1 holder victim pid=""
    psql -X -q -d "$db" -c "SELECT pg_advisory_lock(4242)" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
    holder=$!; pids+=("$holder")
    for _ in $(seq 1 200); do
        [ "$(q -d "$db" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted")" = 1 ] && break
        sleep 0.1
    done
    PGAPPNAME=exlink_crash_victim psql -X -q -d "$db" -c "$sql" >/dev/null 2>&1 &
    victim=$!; pids+=("$victim")
    for _ in $(seq 1 300); do
        pid=$(q -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'exlink_crash_victim' AND wait_event_type = 'Lock' AND wait_event = 'advisory'")
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || { echo "FAILED: the victim never waited for the lock"; exit 1; }
    echo "killing backend $pid (kill -9) in: $sql"
    kill -9 "$pid"
    wait "$victim" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
    wait_ready
}

status=0
check() {   # LABEL EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "$1: ok"; else echo "FAILED: $1:"; diff <(echo "$2") <(echo "$3") || true; status=1; fi
}

# 1. kill -9 during publish: nothing of it remains; publishing again works.
empty=$(snapshot)
kill_during "SELECT exlink.publish('public.cells', 'src', 'employee', '{team}', '{cx}', rollup => true)"
after=$(snapshot)
echo "$after"
check "after a publish killed mid-way, nothing was made" "$empty" "$after"
q -d "$db" -c "SET synchronous_commit = on" -c "SELECT exlink.publish('public.cells', 'src', 'employee', '{team}', '{cx}', rollup => true)" >/dev/null
published=$(snapshot)
case "$published" in *"registry: cells materialized k=5"*) echo "publish after recovery: ok";;
    *) echo "FAILED: publish after recovery:"; echo "$published"; status=1;; esac

# 2. kill -9 during a refresh (the rows changed since): the previous cells stay, exactly.
# (durable before the kill: with the cluster's synchronous_commit = off, a commit not yet flushed
# is lost by the crash, and the refresh afterwards then rightly finds nothing new)
q -d "$db" -c "SET synchronous_commit = on" -c "UPDATE raw SET cx = 6 WHERE team = 'team1'" -c "INSERT INTO raw SELECT 5000 + i, 'team2', 'n' || i, 1 FROM generate_series(1, 10) i" >/dev/null
refresh="REFRESH MATERIALIZED VIEW CONCURRENTLY public.cells"
if [ "$(q -d "$db" -c "SELECT count(*) FROM pg_proc WHERE proname = 'refresh' AND pronamespace = 'exlink'::regnamespace")" != 0 ]; then
    refresh="SELECT exlink.refresh('public.cells')"
fi
kill_during "$refresh"
after=$(snapshot)
echo "$after"
check "after a refresh killed mid-way, the previous release stands" "$published" "$after"
q -d "$db" -c "$refresh" >/dev/null
refreshed=$(snapshot)
[ "$refreshed" != "$published" ] && echo "refresh after recovery: ok (new cells)" \
    || { echo "FAILED: the refresh after recovery changed nothing"; status=1; }
check "registry after the refresh" "$(grep '^registry' <<<"$published")" "$(grep '^registry' <<<"$refreshed")"
[ $status -eq 0 ] && echo ok
exit $status
