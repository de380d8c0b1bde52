#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo still runs end to end (small data), every refused attempt is refused, and the
# chart is well-formed SVG.  Cleans up its database and roles (the docs test creates roles of
# the same names).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-demo.XXXXXX")
cleanup() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS exlink_demo WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS analyst, hr_owner, cx_owner, exlink_admin" >/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -v seed=3 -v employees=400 -v teams=40 -v transactions=20000 \
    -v chart="$tmp/drivers.svg" -f examples/demo.sql >"$tmp/out.txt" 2>&1 \
    || { cat "$tmp/out.txt"; exit 1; }
cat "$tmp/out.txt"
# Every attempt of section 11 is refused with 42501.
attempts=$(grep -c '│ 42501: ' "$tmp/out.txt" || true)
[ "$attempts" -eq 8 ] || { echo "expected 8 refused attempts, got $attempts"; exit 1; }
! grep -q 'ALLOWED' "$tmp/out.txt" || { echo "an analyst attempt was allowed"; exit 1; }
grep -q 'planted effects recovered within' "$tmp/out.txt"
# The chart: one <svg> root, closed, with the three driver panels.
head -c 5 "$tmp/drivers.svg" | grep -q '<svg '
tail -c 7 "$tmp/drivers.svg" | grep -q '</svg>'
[ "$(grep -o 'class="planted"' "$tmp/drivers.svg" | wc -l)" -eq 21 ]
echo "demo smoke: ok"
