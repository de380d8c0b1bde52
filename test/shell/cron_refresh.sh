#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pg_cron itself runs exlink.refresh (set up as docs/bi-and-scheduling.md says:
# cron.use_background_workers = on, so jobs need no TCP connection) on a SECOND throwaway cluster,
# and the analyst's view changes only when the refresh guard allows: one new hire is held back,
# five changed members are released; a period publication's next period is sealed by it, with
# its alerts (issue 20).  Skipped (with a message) when pg_cron is not installed.
# pg_cron 1.4 schedules by the minute: this test waits for two runs of the refresh job (about two
# minutes), counting only that job's runs started after the change it must see.
set -euo pipefail

bindir="$EXLINK_PGROOT$(pg_config --bindir)"
libdir="$EXLINK_PGROOT$(pg_config --pkglibdir)"
if [ ! -f "$libdir/pg_cron.so" ]; then
    echo "skip: pg_cron is not installed (Debian: postgresql-15-cron, see tools/deps.sh)"
    exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/exlink-cron.XXXXXX")
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
shared_preload_libraries = 'exlink,pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
lc_messages = 'C'
fsync = off
CONF
"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" ${EXLINK_SERVER_WRAPPER:+-p "$EXLINK_SERVER_WRAPPER"} -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }

q() {   # q USER SQL
    "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$1" -d postgres -c "$2"
}
cells() {
    q analyst "SELECT string_agg(team || ':' || members || ':' || responses, ',' ORDER BY team COLLATE \"C\") FROM published.cells"
}
now() { q postgres "SELECT clock_timestamp()"; }
runs() {   # runs JOB SINCE: the job's successful runs that started after SINCE (they saw what
           # was committed before it; two jobs run each minute, so only this job's runs count)
    q postgres "SELECT count(*) FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
                 WHERE j.jobname = '$1' AND d.status = 'succeeded' AND d.start_time > '$2'::timestamptz"
}
wait_run() {   # wait_run JOB SINCE: wait for a successful run of JOB started after SINCE (at most 150 s)
    local i
    for i in $(seq 1 150); do
        [ "$(runs "$1" "$2")" -gt 0 ] && return 0
        sleep 1
    done
    echo "FAILED: pg_cron did not run the refresh"
    q postgres "SELECT status, return_message FROM cron.job_run_details ORDER BY start_time DESC LIMIT 3"
    exit 1
}

q postgres "CREATE EXTENSION exlink CASCADE; CREATE EXTENSION pg_cron;
  CREATE ROLE analyst LOGIN;
  CREATE SCHEMA published; GRANT USAGE ON SCHEMA published TO analyst;
  CREATE TABLE src (team text, employee text, cx float8);
  INSERT INTO src SELECT t, t || '-' || e, (e + j) % 10
    FROM (VALUES ('alpha', 6), ('beta', 7), ('gamma', 8)) AS teams(t, size), generate_series(1, size) AS e, generate_series(1, 3) AS j;
  SELECT exlink.publish('published.cells', 'src', 'employee', '{team}', '{cx}', grant_to => '{analyst}');" >/dev/null
before=$(cells)
echo "cells at publication: $before"

# One new hire; pg_cron refreshes every minute.
q postgres "INSERT INTO src SELECT 'alpha', 'alpha-new', 9 FROM generate_series(1, 3)" >/dev/null
t1=$(now)
q postgres "ALTER DATABASE postgres SET exlink.allow_unsafe_refresh = on" >/dev/null   # pg_cron's sessions
q postgres "SELECT cron.schedule('exlink-refresh-cells', '* * * * *', \$\$SELECT exlink.refresh('published.cells')\$\$)" >/dev/null
# A period publication by the minute with an alerts table (issue 20): the minute open at
# publication is sealed by a later pg_cron refresh, and its alerts are appended with its cells.
q postgres "CREATE TABLE psrc (team text, employee text, at timestamp, cx float8, ex float8);
  INSERT INTO psrc SELECT t, t || '-' || e, date_trunc('minute', localtimestamp) - m * interval '1 minute' + interval '1 second',
                          (e * 3 + m) % 10, (e + m) % 7
    FROM (VALUES ('alpha', 6), ('beta', 7), ('gamma', 8)) AS teams(t, size), generate_series(1, size) AS e, generate_series(0, 1) AS m;
  SELECT exlink.publish('published.minutes', 'psrc', 'employee', '{team}', '{cx,ex}', grant_to => '{analyst}',
                        period => 'date_trunc(''minute'', at)', period_length => '1 minute');
  SELECT exlink.publish_results('published.alerts', 'published.minutes', 'cx', '{ex}', statistic => 'alerts', grant_to => '{analyst}');" >/dev/null
alert_periods() {
    q analyst "SELECT count(DISTINCT period) || ' periods, ' || count(DISTINCT unit) || ' units' FROM published.alerts"
}
echo "alerts at publication: $(alert_periods)"
q postgres "SELECT cron.schedule('exlink-refresh-minutes', '* * * * *', \$\$SELECT exlink.refresh('published.minutes')\$\$)" >/dev/null
wait_run exlink-refresh-cells "$t1"
for i in $(seq 1 90); do
    [ "$(alert_periods)" = '2 periods, 3 units' ] && break
    sleep 1
done
echo "alerts after a pg_cron refresh sealed the next minute: $(alert_periods)"
after_one=$(cells)
echo "cells after a pg_cron refresh with one new hire: $after_one"
status=0
[ "$after_one" = "$before" ] || { echo "FAILED: one new hire changed the analyst's view"; status=1; }
# positive control: the custodian sees the held-back change
held=$(q postgres "SELECT cell || ' pending ' || pending_members FROM exlink.refresh_status WHERE held_since IS NOT NULL AND shown ORDER BY 1")
echo "held back (custodian): $held"
[ "$held" = '1:["alpha"] pending 1' ] || { echo "FAILED: the held-back change is not in refresh_status"; status=1; }
[ "$(alert_periods)" = '2 periods, 3 units' ] || { echo "FAILED: the seal by pg_cron did not fill the alerts"; status=1; }

# Four more hires: five changed members since alpha's last release, released at the next run.
q postgres "INSERT INTO src SELECT 'alpha', 'alpha-new' || i, i FROM generate_series(1, 4) i, generate_series(1, 3)" >/dev/null
wait_run exlink-refresh-cells "$(now)"
after_five=$(cells)
echo "cells after a pg_cron refresh with five new members: $after_five"
case ",$after_five," in
    *",alpha:11:33,"*) ;;
    *) echo "FAILED: five changed members were not released"; status=1;;
esac
# (a run still in progress is 'running', not a failure)
failed=$(q postgres "SELECT count(*) FROM cron.job_run_details WHERE status = 'failed'")
[ "$failed" = 0 ] || { echo "FAILED: $failed pg_cron runs failed"; q postgres "SELECT return_message FROM cron.job_run_details WHERE status = 'failed' LIMIT 3"; status=1; }
q postgres "SELECT cron.unschedule('exlink-refresh-cells'), cron.unschedule('exlink-refresh-minutes')" >/dev/null
[ $status -eq 0 ] && echo ok
exit $status
