#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Threshold hygiene on a SECOND throwaway cluster WITHOUT exlink in shared_preload_libraries:
# a non-superuser sets exlink.min_group_size to 2 as a placeholder before the library is loaded
# in the backend (SET, SET LOCAL, set_config, PGOPTIONS, ALTER ROLE ... SET, a function SET
# clause), then makes it load (first call of an exlink function, LOAD).  k must stay 5 every time:
# the setting the library reads is 5 and a 4-member group stays suppressed.
set -euo pipefail

bindir="$EXLINK_PGROOT$(pg_config --bindir)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/exlink-threshold.XXXXXX")
chmod 755 "$dir"
runas=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    runas=(runuser -u postgres --)
fi
cleanup() {
    "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${runas[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
port=$(( 20000 + RANDOM % 20000 ))
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
shared_preload_libraries = ''
lc_messages = 'C'
fsync = off
CONF
# under make sanitize, this server too needs the sanitizer runtime (see with-cluster.sh)
"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" ${EXLINK_SERVER_WRAPPER:+-p "$EXLINK_SERVER_WRAPPER"} -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }

q() {   # q USER [PGOPTIONS] SQL: one fresh backend, tuples only, messages kept
    local user=$1 opts=$2 sql=$3
    PGOPTIONS="$opts" "$bindir/psql" -X -q -At -h "$dir" -p "$port" -U "$user" -d postgres -c "$sql" 2>&1
}

q postgres "" "SHOW shared_preload_libraries" | grep -qx '' || { echo "exlink must not be preloaded here"; exit 1; }
q postgres "" "CREATE EXTENSION exlink CASCADE;
  CREATE ROLE analyst LOGIN;
  GRANT USAGE ON SCHEMA exlink TO analyst;
  CREATE TABLE four AS SELECT 'e' || (i % 4) AS m FROM generate_series(1, 20) i;
  GRANT SELECT ON four TO analyst;" >/dev/null

probe="SELECT 'k=' || exlink.min_group_size() || ' setting=' || current_setting('exlink.min_group_size')
              || ' four_members=' || coalesce((SELECT exlink.guarded_count(m)::text FROM four), 'suppressed')"
want='k=5 setting=5 four_members=suppressed'
failures=0
check() {   # check NAME OUTPUT
    local name=$1 out=$2
    echo "--- $name"
    echo "$out"
    if printf '%s\n' "$out" | grep -qx "$want"; then
        echo "ok: $name"
    elif printf '%s\n' "$out" | grep -q 'ERROR:  permission denied to set parameter "exlink.min_group_size"' \
         && ! printf '%s\n' "$out" | grep -q '^k='; then
        echo "ok: $name (refused)"
    else
        echo "FAILED: $name (k was lowered or the probe did not run)"
        failures=$((failures + 1))
    fi
}

check "SET before load" "$(q analyst "" "SET exlink.min_group_size = 2; $probe")"
check "SET then set_config before load" "$(q analyst "" "SELECT set_config('exlink.min_group_size', '2', false); $probe")"
check "SET LOCAL before load" "$(q analyst "" "BEGIN; SET LOCAL exlink.min_group_size = 2; $probe; COMMIT;")"
check "PGOPTIONS before load" "$(q analyst "-c exlink.min_group_size=2" "$probe")"
check "function SET clause before load" "$(q analyst "" "CREATE FUNCTION pg_temp.low() RETURNS text LANGUAGE sql
     SET exlink.min_group_size = 2 AS \$\$ $probe \$\$; SELECT pg_temp.low();")"
out=$(q analyst "" "ALTER ROLE analyst SET exlink.min_group_size = 2" || true)
echo "--- ALTER ROLE ... SET on the own role: $out"
check "ALTER ROLE ... SET, next session" "$(q analyst "" "$probe")"
out=$(q analyst "" "SET exlink.min_group_size = 2; LOAD 'exlink'" || true)
echo "--- LOAD by a non-superuser: $out"
printf '%s\n' "$out" | grep -q 'permission denied\|access to library' || { echo "FAILED: LOAD was allowed"; failures=$((failures + 1)); }
check "SET, then LOAD refused, then first call" "$(q analyst "" "SET exlink.min_group_size = 2; $probe")"
# The superuser still can raise k (and the reserved prefix rejects new names once loaded).
out=$(q postgres "" "SET exlink.min_group_size = 9; SELECT exlink.min_group_size()")
echo "--- superuser SET before load: $out"
printf '%s\n' "$out" | grep -qx '9' || { echo "FAILED: a superuser's setting was lost"; failures=$((failures + 1)); }
out=$(q analyst "" "SELECT exlink.min_group_size(); SET exlink.anything = 1" || true)
echo "--- new placeholder under the reserved prefix after load: $out"
printf '%s\n' "$out" | grep -q 'invalid configuration parameter name' || { echo "FAILED: prefix not reserved"; failures=$((failures + 1)); }

echo "threshold: $failures failure(s)"
[ "$failures" -eq 0 ]
