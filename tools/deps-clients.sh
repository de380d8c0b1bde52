#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install what test/shell/clients.sh runs the docs/clients.md snippets with (idempotent, best
# effort: a client that cannot be installed is skipped by the test, which says why):
#   psycopg2 and pyodbc for Debian's python3, psqlODBC with unixODBC, pgjdbc with a JDK
#   (single-file source launch needs jdk.compiler), node-postgres on Node.js.
# Node.js: Debian's nodejs and node-pg when no node is installed; when a node is already there
# (e.g. from another archive, which Debian's node-pg cannot be installed with), the npm package
# pg into ~/.cache/exlink/node (test/shell/clients.sh puts it on NODE_PATH).
# As root it installs; otherwise it prints what to run and exits 0.
set -uo pipefail

pkgs=(python3 python3-psycopg2 python3-pyodbc odbc-postgresql unixodbc libpostgresql-jdbc-java)
command -v javac >/dev/null || pkgs+=(default-jdk-headless)
command -v node >/dev/null || pkgs+=(nodejs node-pg)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "exlink: client tests will skip what is missing; to run them all: sudo apt-get install -y ${missing[*]}" >&2
    else
        echo "exlink: installing client packages ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
            || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
            || echo "exlink: could not install every client package; clients.sh skips the missing ones" >&2
    fi
fi

cache="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/exlink/node"
if command -v node >/dev/null \
   && ! NODE_PATH="$cache/node_modules:/usr/share/nodejs:/usr/lib/nodejs" node -e "require('pg')" 2>/dev/null; then
    if command -v npm >/dev/null; then
        mkdir -p "$cache"
        (cd "$cache" && npm install --no-audit --no-fund --silent pg >/dev/null 2>&1) \
            || echo "exlink: npm install pg failed; clients.sh skips node-postgres" >&2
    else
        echo "exlink: node has no pg module and there is no npm; clients.sh skips node-postgres" >&2
    fi
fi
exit 0
