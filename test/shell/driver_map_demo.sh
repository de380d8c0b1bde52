#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The second part of the demo (examples/driver_map.sql, issue 21) runs end to end: every planted
# effect (a training class, a plateau at 20 hours, a segment difference) lies in its recovered
# 95% interval, the response curve finds the plateau, the key driver map results table has rows
# for every region, and its chart is well-formed SVG.  Cleans up its database and role.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-map.XXXXXX")
cleanup() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS exlink_driver_map WITH (FORCE)" -c "DROP ROLE IF EXISTS map_reader" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -v seed=42 -v map_chart="$tmp/driver_map.svg" -f examples/driver_map.sql \
    >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; exit 1; }
cat "$tmp/out.txt"
[ "$(grep -c '│ covered *$' "$tmp/out.txt")" -eq 5 ] || { echo "a planted effect is not covered by its interval"; exit 1; }
! grep -q 'MISSED' "$tmp/out.txt" || { echo "a planted effect was missed"; exit 1; }
grep -Eq '^ +40 │.*│ +20 *$' "$tmp/out.txt" || { echo "the response curve did not find the plateau at 20 hours"; exit 1; }
for r in all east north south west; do
    grep -Eq "^ $r +│ engagement " "$tmp/out.txt" || { echo "no key driver map rows for $r"; exit 1; }
done
head -c 5 "$tmp/driver_map.svg" | grep -q '<svg ' && tail -c 7 "$tmp/driver_map.svg" | grep -q '</svg>' \
    && [ "$(grep -o '<circle ' "$tmp/driver_map.svg" | wc -l)" -eq 20 ] \
    || { echo "the key driver map chart is not the expected SVG"; exit 1; }
echo "driver map demo ok"
