#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Serve the dashboard example (examples/dashboard/) on the current cluster: called by
# `make dashboard` through EXLINK_TCP=1 tools/with-cluster.sh.  Loads its data
# (examples/dashboard/setup.sql: the demo's generator, a period publication with roll-up whose
# waves are sealed, its results tables, a window and a coverage view), then serves the page reading as the analyst's login bi_dashboard over TCP with
# a password, until interrupted (Ctrl-C), which also drops the throwaway cluster.
# Optional: DASHBOARD_PORT (8080), DEMO_SEED (42), DEMO_TRANSACTIONS (300000), DEMO_EMPLOYEES (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${EXLINK_TCP_HOST:-}" ] || { echo "run under EXLINK_TCP=1 tools/with-cluster.sh" >&2; exit 1; }
[ -d examples/dashboard/node_modules ] || { echo "run tools/deps-dashboard.sh first" >&2; exit 1; }
password="dash-$RANDOM$RANDOM"
start=$(date +%s)
echo "exlink dashboard: loading the data (about 20 s for 300,000 transactions)..."
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 \
    -v seed="${DEMO_SEED:-42}" -v transactions="${DEMO_TRANSACTIONS:-300000}" \
    -v employees="${DEMO_EMPLOYEES:-2000}" -v password="$password" \
    -f examples/dashboard/setup.sql >/dev/null
echo "exlink dashboard: data loaded in $(( $(date +%s) - start )) s; Ctrl-C stops the server and drops the cluster"
PGHOST=$EXLINK_TCP_HOST PGUSER=bi_dashboard PGPASSWORD=$password PGDATABASE=exlink_dashboard \
    DASHBOARD_PORT="${DASHBOARD_PORT:-8080}" exec node examples/dashboard/server.js
