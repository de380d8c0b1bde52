#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run the client snippets of docs/clients.md (psql, psycopg2, psqlODBC through pyodbc, pgjdbc,
# node-postgres) over TCP on 127.0.0.1, as an analyst login role with a password, and compare
# what each prints with the page's ```text client-output block.  The page's hidden setup and
# sql blocks run first, as the superuser over the Unix socket, in database "analytics".
# Needs a cluster listening on TCP: EXLINK_TCP=1 tools/with-cluster.sh (make test does this).
# A client whose packages are missing (tools/deps-clients.sh installs them) is skipped, and
# the test says so; under CI (CI=true) psql, psycopg2 and pyodbc must run.
# EXLINK_CLIENTS_KEEP=DIR copies what each snippet printed to DIR/NN.CLIENT.out.
set -uo pipefail
cd "$(dirname "$0")/../.."
page=docs/clients.md
if [ -z "${EXLINK_TCP_HOST:-}" ]; then
    echo "skip: the cluster does not listen on TCP (run under EXLINK_TCP=1 tools/with-cluster.sh)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-clients.XXXXXX")
chmod 755 "$tmp"
db=analytics
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER")   # the superuser, Unix socket
roles_before=$("${psql[@]}" -At -d postgres -c "SELECT string_agg(quote_literal(rolname), ',') FROM pg_roles")
cleanup() {
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    for r in $("${psql[@]}" -At -d postgres -c "SELECT quote_ident(rolname) FROM pg_roles WHERE rolname NOT IN ($roles_before)"); do
        "${psql[@]}" -d postgres -c "DROP OWNED BY $r CASCADE" -c "DROP ROLE $r" >/dev/null 2>&1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# Split the page: sNN.sql (hidden setup and sql blocks, in order, each run in its own session
# as docs_examples.sh does), and per client block NN.NAME.src with its expected output
# NN.NAME.expected.
awk -v out="$tmp" '
    mode == "" && /^[ \t]*<!-- docs-test-setup[ \t]*$/ { s++; mode = "setup"; next }
    mode == "setup" && /^[ \t]*-->[ \t]*$/ { mode = ""; next }
    mode == "setup" { print > sprintf("%s/s%02d.sql", out, s); next }
    mode == "" && /^```sql([ \t].*)?$/ { s++; mode = (/fails=|db=|requires=/ ? "skip" : "sql"); next }
    mode == "sql" && /^```[ \t]*$/ { mode = ""; next }
    mode == "sql" { print > sprintf("%s/s%02d.sql", out, s); next }
    mode == "" && /^```[a-z]+ client=[a-z0-9-]+[ \t]*$/ {
        n++; split($0, a, "client="); cur = sprintf("%s/%02d.%s", out, n, a[2]); mode = "client"; next }
    mode == "client" && /^```[ \t]*$/ { mode = ""; next }
    mode == "client" { print > (cur ".src"); next }
    mode == "" && /^```text client-output[ \t]*$/ { mode = "expected"; printf "" > (cur ".expected"); next }
    mode == "expected" && /^```[ \t]*$/ { mode = ""; next }
    mode == "expected" { print > (cur ".expected"); next }
    mode == "" && /^```/ { mode = "skip"; next }
    mode == "skip" && /^```[ \t]*$/ { mode = ""; next }
' "$page"

PGOPTIONS="-c client_min_messages=warning" "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
for f in "$tmp"/s*.sql; do
    PGOPTIONS="-c client_min_messages=warning" "${psql[@]}" -d "$db" -f "$f" >/dev/null || { echo "setup failed: $f"; exit 1; }
done

# The client side: TCP, password authentication, the role the page creates.
export PGHOST=$EXLINK_TCP_HOST PGUSER=bi_client PGPASSWORD=change-me PGDATABASE=$db
python=/usr/bin/python3; [ -x "$python" ] || python=python3
jar=/usr/share/java/postgresql.jar
node_cache="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/exlink/node/node_modules"
export NODE_PATH="$node_cache:/usr/share/nodejs:/usr/lib/nodejs${NODE_PATH:+:$NODE_PATH}"

missing() {   # why a client cannot run here (empty: it can)
    case "$1" in
        psql) command -v psql >/dev/null || echo "psql not found" ;;
        psycopg2) "$python" -c 'import psycopg2' 2>/dev/null || echo "no psycopg2 for $python (Debian: python3-psycopg2)" ;;
        pyodbc) "$python" -c 'import pyodbc' 2>/dev/null || { echo "no pyodbc for $python (Debian: python3-pyodbc)"; return; }
                odbcinst -q -d 2>/dev/null | grep -qx '\[PostgreSQL Unicode\]' || echo "psqlODBC not registered (Debian: odbc-postgresql, unixodbc)" ;;
        pgjdbc) command -v java >/dev/null || { echo "no java (Debian: default-jdk-headless)"; return; }
                [ -r "$jar" ] || { echo "no $jar (Debian: libpostgresql-jdbc-java)"; return; }
                java --list-modules 2>/dev/null | grep -q '^jdk.compiler' || echo "a JRE without jdk.compiler cannot run a source file (Debian: default-jdk-headless)" ;;
        node-postgres) command -v node >/dev/null || { echo "no node (Debian: nodejs)"; return; }
                node -e "require('pg')" 2>/dev/null || echo "node cannot find the pg module (npm install pg, or Debian: node-pg)" ;;
        *) echo "unknown client" ;;
    esac
}

normalize() {   # no trailing blanks, no blank lines at the end
    sed -E 's/[ \t]+$//' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

ran=() skipped=() failures=0
for src in "$tmp"/*.src; do
    base=${src%.src}; client=${base##*.}
    why=$(missing "$client")
    if [ -n "$why" ]; then
        echo "skip $client: $why"; skipped+=("$client")
        if [ "${CI:-}" = true ] && [[ " psql psycopg2 pyodbc " == *" $client "* ]]; then failures=$((failures + 1)); fi
        continue
    fi
    case "$client" in
        psql) cmd=(bash "$src") ;;
        psycopg2 | pyodbc) cmd=("$python" "$src") ;;
        pgjdbc) cp "$src" "$base.java"; cmd=(java -cp "$jar" "$base.java") ;;
        node-postgres) cp "$src" "$base.js"; cmd=(node "$base.js") ;;
    esac
    if ! "${cmd[@]}" >"$base.out" 2>"$base.err"; then
        echo "FAIL $client: the snippet failed"; sed 's/^/    /' "$base.err" | tail -n 20
        failures=$((failures + 1)); continue
    fi
    [ -n "${EXLINK_CLIENTS_KEEP:-}" ] && cp "$base.out" "$EXLINK_CLIENTS_KEEP/"   # to update the page
    if ! diff -u <(normalize "$base.expected") <(normalize "$base.out") >"$base.diff"; then
        echo "FAIL $client: the output differs from the page's"; tail -n +3 "$base.diff" | sed 's/^/    /'
        failures=$((failures + 1)); continue
    fi
    echo "ok   $client"; ran+=("$client")
done
[ ${#ran[@]} -gt 0 ] || { echo "no client ran"; failures=$((failures + 1)); }
echo "clients run: ${ran[*]:-none}; skipped: ${skipped[*]:-none}; $failures failed"
[ $failures -eq 0 ]
