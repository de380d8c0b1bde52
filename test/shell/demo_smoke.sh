#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo still runs end to end (small data) on the real exlink functions: every refused attempt
# is refused, the seal of the last wave publishes the nightly load, a cumulative figure merges periods, the exactness checks hold, and the chart is
# well-formed SVG.  Cleans up its database and roles (the docs test creates roles of
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
# Every refused attempt is refused with 42501: 3 publications the custodian tries (section 5)
# and 9 analyst attempts (section 11).
attempts=$(grep -c '│ 42501: ' "$tmp/out.txt" || true)
[ "$attempts" -eq 12 ] || { echo "expected 12 refused attempts, got $attempts"; exit 1; }
! grep -q 'ALLOWED' "$tmp/out.txt" || { echo "an attempt was allowed"; exit 1; }
# The nightly load reaches the analyst only through the seal of the last wave: more rows after it.
grep -q '^exlink.seal(published.cx_cells, last wave) released [1-9]' "$tmp/out.txt"
awk -F'│' '$1 ~ /published\.cx_cells/ && NF == 5 { found = 1; if ($5 + 0 <= $4 + 0) bad = 1 }
           END { exit !found || bad }' "$tmp/out.txt" \
    || { echo "the seal did not publish the nightly load"; exit 1; }
# A cumulative figure by merging sealed periods (exlink.publish_window), the total included.
grep -q "CSAT, merged" "$tmp/out.txt"
grep -qE '^ \(all\) +│' "$tmp/out.txt" || { echo "no cumulative total"; exit 1; }
# Utility: each wave its own lattice releases at least as many team x wave cells as one snapshot
# over all waves did (0.2.0), no more than have k members (a sibling outside the wave holds none back).
awk -F'│' '/released, by wave/ { getline; getline; found = 1; if ($3 + 0 < $2 + 0 || $3 + 0 == 0 || $3 + 0 > $1 + 0) bad = 1 }
           END { exit !found || bad }' "$tmp/out.txt" \
    || { echo "utility: fewer team x wave cells released by period than by one snapshot"; exit 1; }
grep -q 'planted effects recovered within' "$tmp/out.txt"
# Clustered inference reaches the analyst: key drivers with 95% intervals, the prioritization,
# the cross-lagged regressions clustered by team, and the planted-truth coverage of 4 intervals.
grep -q '95% CI' "$tmp/out.txt"
grep -q 'P(most important)' "$tmp/out.txt"
grep -q 'planted first' "$tmp/out.txt"
[ "$(grep -cE '│ cluster-robust CR[12]' "$tmp/out.txt")" -eq 4 ] \
    || { echo "cross-lagged regressions: expected 4 clustered rows"; exit 1; }
[ "$(grep -cE '^ (EX -> CX|CX -> EX) +│' "$tmp/out.txt")" -eq 2 ] \
    || { echo "cross-lagged regressions: no finding per direction"; exit 1; }
[ "$(grep -cE '│ +[0-9]+ of 21 +│' "$tmp/out.txt")" -eq 4 ] \
    || { echo "planted truth: expected the coverage of 4 kinds of interval"; exit 1; }
# Exactness: the analyst's figure from merged cells equals the custodian's on the rows.
awk -F'│' '/custodian: corr\(\) on rows/ { getline; getline; found = 1; if ($1 + 0 == 0 || $1 + 0 != $2 + 0) bad = 1 }
           END { exit !found || bad }' "$tmp/out.txt" \
    || { echo "exactness: merged cells differ from the rows"; exit 1; }
# The guarded aggregates on rows agree with the publication.
[ "$(grep -c '│ exact *│ exact *$' "$tmp/out.txt")" -eq 1 ] \
    || { echo "exlink.nps / guarded_avg differ from the published cells"; exit 1; }
# The chart: one <svg> root, closed, with the three driver panels.
head -c 5 "$tmp/drivers.svg" | grep -q '<svg '
tail -c 7 "$tmp/drivers.svg" | grep -q '</svg>'
[ "$(grep -o 'class="planted"' "$tmp/drivers.svg" | wc -l)" -eq 21 ]
echo "demo smoke: ok"
