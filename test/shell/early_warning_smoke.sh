#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The early-warning demo (examples/early_warning.sql, issue 20) runs end to end: the alert list
# finds the planted team T07 (its coaching drop in the first month of the drop, its csat slide
# within 2 months of its start), the slip is flagged as linked to coaching, and the chart is
# well-formed SVG with its two funnel plots and T07's timeline.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-ew.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -v chart="$tmp/early_warning.svg" -f examples/early_warning.sql >"$tmp/out.txt" 2>&1 \
    || { cat "$tmp/out.txt"; exit 1; }
cat "$tmp/out.txt"
# found_in_month_n_of_the_change: coaching 1, csat at most 2
awk -F'|' '$1 ~ /^ coaching / && NF == 5 { c = $4 + 0 } $1 ~ /^ csat / && NF == 5 { s = $4 + 0 }
           END { exit !(c == 1 && s >= 1 && s <= 2) }' "$tmp/out.txt" \
    || { echo "T07 not found in time"; exit 1; }
grep -qE '^ 2025-[0-9]+ +\| T07 +\| coaching +\| linked ' "$tmp/out.txt" || { echo "no linked signal for T07"; exit 1; }
grep -q '^<svg ' "$tmp/early_warning.svg" && tail -c 7 "$tmp/early_warning.svg" | grep -q '</svg>'
[ "$(grep -o 'class="frame"' "$tmp/early_warning.svg" | wc -l)" -eq 3 ] || { echo "chart: expected 3 panels"; exit 1; }
if python3 -c 'import xml.etree.ElementTree' 2>/dev/null; then
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tmp/early_warning.svg"
fi
echo "early warning demo ok"
