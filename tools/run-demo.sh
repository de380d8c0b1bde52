#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run the exlink demo (examples/demo.sql) in the current cluster: called by `make demo` through
# tools/with-cluster.sh.  Writes the chart to examples/out/drivers.svg, then runs examples/driver_map.sql
# (key drivers beyond straight lines), which writes examples/out/driver_map.svg, and
# examples/early_warning.sql (alerts), which writes examples/out/early_warning.svg.
# Optional: DEMO_SEED (42), DEMO_TRANSACTIONS (300000), DEMO_EMPLOYEES (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p examples/out
start=$(date +%s)
# stderr joins stdout so errors (if any) appear where they happen.
psql -X -q -v ON_ERROR_STOP=1 \
    -v seed="${DEMO_SEED:-42}" -v transactions="${DEMO_TRANSACTIONS:-300000}" \
    -v employees="${DEMO_EMPLOYEES:-2000}" \
    -f examples/demo.sql 2>&1
# Part 2 (issue 21): groups, a response curve, segment effects and the key driver map chart.
psql -X -q -v ON_ERROR_STOP=1 -v seed="${DEMO_SEED:-42}" -v map_chart=examples/out/driver_map.svg \
    -f examples/driver_map.sql 2>&1
# Spot issues early (examples/early_warning.sql): the alert list and examples/out/early_warning.svg.
psql -X -q -v ON_ERROR_STOP=1 -v chart=examples/out/early_warning.svg -f examples/early_warning.sql 2>&1
echo
echo "exlink demo finished in $(( $(date +%s) - start )) s"
