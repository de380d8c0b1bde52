#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every test suite against the installed extension in the current cluster (see
# with-cluster.sh): pg_regress over test/schedule, then each test/shell/*.sh script.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf results regression.diffs regression.out
mkdir -p results

make -s installcheck PGUSER="$PGUSER" 2>&1 | tee results/installcheck.log
status=${PIPESTATUS[0]}
if [ $status -ne 0 ] && [ -f regression.diffs ]; then
    head -n 300 regression.diffs
fi
passed=$(grep -cE '\.\.\. ok' results/installcheck.log || true)
failed=$(grep -cE '\.\.\. FAILED' results/installcheck.log || true)
[ $status -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1

# Shell suites: things pg_regress cannot express (other clusters, pg_dump/restore, ...).
for t in test/shell/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    if bash "$t" >"results/shell-$name.log" 2>&1; then
        echo "shell $name ... ok"
        passed=$((passed + 1))
    else
        echo "shell $name ... FAILED (results/shell-$name.log):"
        tail -n 40 "results/shell-$name.log"
        failed=$((failed + 1))
        status=1
    fi
done

echo
echo "exlink: ${passed:-0} passed, ${failed:-0} failed"
exit $status
