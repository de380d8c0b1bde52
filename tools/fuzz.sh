#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make fuzz: throw random SQL and damaged inputs at exlink in the current cluster (run through
# tools/with-cluster.sh) and count what happens, from the server log:
#   superuser  sqlsmith as a superuser against the demo database (examples/demo.sql)
#   analyst    sqlsmith as the demo's analyst (published views, exlink's analysis functions)
#   inputs     exlink's own input fuzzer (tools/fuzz-inputs.pl): random and damaged exlink.moments
#              text and binary values, arrays with NULL/NaN/±Infinity/-0/subnormals, 0 to 65
#              variables, long and non-UTF-8 labels, extreme k and levels, fed to every exlink
#              function and aggregate (also over a table with parallel plans forced), in a UTF8
#              and an SQL_ASCII database
# Prints per phase: statements run, errors by SQLSTATE class, errors raised by exlink by
# SQLSTATE, crashes. Fails on a crash or on an internal error (XX000) raised by exlink.
# Settings: FUZZ_SECONDS (600 per sqlsmith phase), FUZZ_INPUT_SECONDS (300), FUZZ_INPUT_CASES
# (when set: exactly that many cases, one batch, instead of a duration), FUZZ_SEED (1),
# FUZZ_PHASES ("superuser analyst inputs"), FUZZ_DEMO_TRANSACTIONS (300000).
# Output: results/fuzz/ (summary.txt, sqlsmith logs, the generated cases of the last batch).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
out=${FUZZ_OUT:-$top/results/fuzz}
rm -rf "$out"; mkdir -p "$out"
log=${EXLINK_SERVER_LOG:?run through tools/with-cluster.sh}
seconds=${FUZZ_SECONDS:-600}
input_seconds=${FUZZ_INPUT_SECONDS:-300}
seed=${FUZZ_SEED:-1}
phases=${FUZZ_PHASES:-superuser analyst inputs}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
status=0

# Errors are counted from the server log: verbose (SQLSTATE and source location of each error),
# without the statements (sqlsmith's are long; a crash still logs the one that was running).
verbose_log() {
    q -d postgres -c "ALTER DATABASE $1 SET log_error_verbosity = verbose" \
                  -c "ALTER DATABASE $1 SET log_min_error_statement = panic"
}
logsize() { stat -c %s "$log"; }

report() {   # PHASE START_BYTE STATEMENTS
    local phase=$1 start=$2 statements=$3
    perl tools/fuzz-report.pl "$log" "$start" src >"$out/$phase.counts"
    local errors classes exl crashes internal
    errors=$(sed -n 's/^errors //p' "$out/$phase.counts")
    classes=$(sed -n 's/^errors_by_class //p' "$out/$phase.counts")
    exl=$(sed -n 's/^exlink_errors //p' "$out/$phase.counts")
    crashes=$(sed -n 's/^crashes //p' "$out/$phase.counts")
    internal=$(sed -n 's/^internal //p' "$out/$phase.counts")
    {
        printf '%-10s statements %s, errors %s, crashes %s, internal errors from exlink %s\n' \
            "$phase" "$statements" "$errors" "$crashes" "$internal"
        printf '%-10s errors by SQLSTATE class: %s\n' "" "$classes"
        printf '%-10s errors raised by exlink:  %s\n' "" "$exl"
        sed -n 's/^crash /           CRASH: /p; s/^internal_error /           INTERNAL: /p' "$out/$phase.counts" | cut -c1-600
    } | tee -a "$out/summary.txt"
    [ "$crashes" = 0 ] && [ "$internal" = 0 ] || status=1
}

wait_server() { for _ in $(seq 1 120); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && return 0; sleep 0.5; done; return 1; }

# --- sqlsmith ---------------------------------------------------------------------------------
sqlsmith_phase() {   # PHASE ROLE
    local phase=$1 role=$2 start end n=0 total=0 round=0
    command -v sqlsmith >/dev/null || { echo "fuzz: sqlsmith is not installed (make deps: tools/deps.sh --fuzz)"; status=1; return; }
    start=$(logsize)
    end=$(( $(date +%s) + seconds ))
    # sqlsmith stops on a lost connection: start it again (new seed) until the time is up.
    while [ "$(date +%s)" -lt "$end" ]; do
        wait_server
        round=$((round + 1))
        timeout -s INT $(( end - $(date +%s) + 1 )) sqlsmith --verbose --seed=$((seed * 1000 + round)) \
            --target="host=$PGHOST port=$PGPORT dbname=exlink_demo user=$role" \
            >>"$out/$phase.sqlsmith.out" 2>"$out/$phase.sqlsmith.err.$round"
        n=$(sed -n 's/^queries: \([0-9]*\).*/\1/p' "$out/$phase.sqlsmith.err.$round" | tail -n 1)
        total=$(( total + ${n:-0} ))
        sleep 1
    done
    cat "$out/$phase".sqlsmith.err.* >"$out/$phase.sqlsmith.err"; rm -f "$out/$phase".sqlsmith.err.*
    echo "$phase: sqlsmith ran $round time(s)" >>"$out/summary.txt"
    report "$phase" "$start" "$total"
}

if [[ " $phases " == *" superuser "* || " $phases " == *" analyst "* ]]; then
    echo "fuzz: building the demo database (examples/demo.sql)"
    mkdir -p examples/out
    psql -X -q -v ON_ERROR_STOP=1 -v seed=42 -v transactions="${FUZZ_DEMO_TRANSACTIONS:-300000}" \
        -v employees=2000 -f examples/demo.sql >"$out/demo.log" 2>&1 || { tail -n 30 "$out/demo.log"; exit 1; }
    verbose_log exlink_demo
    [[ " $phases " == *" superuser "* ]] && { echo "fuzz: sqlsmith as superuser for $seconds s"; sqlsmith_phase superuser postgres; }
    [[ " $phases " == *" analyst "* ]] && { echo "fuzz: sqlsmith as analyst for $seconds s"; sqlsmith_phase analyst analyst; }
fi

# --- exlink's input fuzzer -----------------------------------------------------------------------
signatures="SELECT p.prokind, p.proname, coalesce(string_agg(format_type(a.t, NULL), ',' ORDER BY a.i), '')
  FROM pg_proc p LEFT JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i) ON true
 WHERE p.pronamespace = 'exlink'::regnamespace
   AND p.prorettype NOT IN ('internal'::regtype, 'trigger'::regtype)
   AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
 GROUP BY p.oid, p.prokind, p.proname ORDER BY p.oid"
samples="WITH d AS (SELECT i, p, ARRAY(SELECT sin(i * j) + (i % (j + 2)) FROM generate_series(1, p) j) AS arr,
                  'e' || (i % 9) AS mem, cos(i) + i % 5 AS y
             FROM generate_series(1, 60) i, unnest('{1,2,3,10,64}'::int[]) p)
SELECT 'moments|' || exlink.moments(arr)::text FROM d GROUP BY p
UNION ALL SELECT 'moments|' || exlink.moments(arr, mem)::text FROM d GROUP BY p
UNION ALL SELECT 'bin|' || encode(exlink.moments_send(exlink.moments(arr, mem)), 'hex') FROM d GROUP BY p
UNION ALL SELECT 'bin|' || encode(exlink.moments_send(exlink.moments(arr)), 'hex') FROM d WHERE p < 10 GROUP BY p
UNION ALL SELECT 'exlink.driver_model|' || exlink.driver_weights(y, arr, mem)::text FROM d WHERE p BETWEEN 2 AND 10 GROUP BY p
UNION ALL SELECT 'exlink.correlation|' || exlink.linked_correlation(y, arr[1], mem)::text FROM d WHERE p = 1"

inputs_db() {   # DB ENCODING SEED [ascii] -> statements run on stdout
    local db=$1 enc=$2 s=$3 mode=${4:-} dir="$out/inputs-$1" n=0
    q -d postgres -c "DROP DATABASE IF EXISTS $db" \
      -c "CREATE DATABASE $db ENCODING '$enc' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
    q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION exlink CASCADE" >/dev/null
    verbose_log "$db" >/dev/null
    q -d "$db" -c "$signatures" | tr -d '\r' >"$out/signatures.txt"
    q -d "$db" -c "$samples" >"$out/samples-$db.txt"
    local end=$(( $(date +%s) + input_seconds )) batch=0
    while :; do
        batch=$((batch + 1))
        rm -rf "$dir"; mkdir -p "$dir"
        perl tools/fuzz-inputs.pl $((s + batch - 1)) "${FUZZ_INPUT_CASES:-2000}" "$out/signatures.txt" \
            "$out/samples-$db.txt" "$dir" $mode || { status=1; return; }
        PGCLIENTENCODING=$([ "$enc" = SQL_ASCII ] && echo SQL_ASCII || echo UTF8) \
            psql -X -q -d "$db" -f "$dir/setup.sql" >/dev/null 2>&1 || { echo "fuzz: fixture failed" >&2; status=1; return; }
        split -l 200 -d -a 4 "$dir/cases.sql" "$dir/chunk."
        for chunk in "$dir"/chunk.*; do
            wait_server
            { echo "SET statement_timeout = '10s';"
              echo "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
              echo "SET max_parallel_workers_per_gather = 2; SET client_min_messages = error;"
              cat "$chunk"; } >"$chunk.sql"
            PGCLIENTENCODING=$([ "$enc" = SQL_ASCII ] && echo SQL_ASCII || echo UTF8) \
                psql -X -q -d "$db" -f "$chunk.sql" >/dev/null 2>&1
            rc=$?
            [ $rc -eq 2 ] && echo "fuzz: lost the connection in $chunk (a crash?)" >&2
            n=$(( n + $(grep -c '' "$chunk") ))
        done
        [ -n "${FUZZ_INPUT_CASES:-}" ] && break
        [ "$(date +%s)" -lt "$end" ] || break
    done
    echo "$n"
}

if [[ " $phases " == *" inputs "* ]]; then
    echo "fuzz: exlink's input fuzzer ($([ -n "${FUZZ_INPUT_CASES:-}" ] && echo "$FUZZ_INPUT_CASES cases" || echo "$input_seconds s") per database, seed $seed)"
    start=$(logsize)
    n1=$(inputs_db exlink_fuzz UTF8 "$seed")
    n2=$(inputs_db exlink_fuzz_ascii SQL_ASCII $((seed + 50000)) ascii)
    report inputs "$start" $(( ${n1:-0} + ${n2:-0} ))
fi

echo
echo "fuzz: $([ $status -eq 0 ] && echo passed || echo FAILED) (summary in results/fuzz/summary.txt)"
exit $status
