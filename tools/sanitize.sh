#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make sanitize: build exlink with -fsanitize=address,undefined (in a copy of the work tree, so
# the normal build is untouched), run the whole suite (tools/run-tests.sh) in a throwaway
# cluster whose server alone runs with the sanitizer runtime, then read the server log.
# Fails when a test fails or when any sanitizer report involves exlink; reports elsewhere
# (PostgreSQL itself, other libraries) are printed but do not fail the run.
# Output: results/sanitize/ (server.log, the suite's logs, reports.txt).
#   SANITIZE_TESTS="setup moments teardown": only those pg_regress tests, no shell tests;
#   SANITIZE_CMD="bash test/shell/x.sh": only that command.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/results/sanitize"
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/exlink-sanitize.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^results/' | tar --null -T - -cf -) | tar -xf - -C "$work"
else   # an exported tree (no git): everything but build products and results
    tar -C "$top" --exclude=./results --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . | tar -xf - -C "$work"
fi
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -g"
echo "sanitize: building with $flags"
if ! make -s -C "$work" -j"$(nproc 2>/dev/null || echo 2)" EXLINK_CFLAGS="$flags" >"$out/build.log" 2>&1; then
    cat "$out/build.log"; exit 1
fi
# the library must carry the runtime, or the server would run an uninstrumented exlink
case "$(ldd "$work/exlink.so")" in *libasan*) ;; *) echo "sanitize: exlink.so is not linked with libasan"; exit 1;; esac

start=$(date +%s)
if [ -n "${SANITIZE_CMD:-}" ]; then
    cmd=(bash -c "$SANITIZE_CMD")
elif [ -n "${SANITIZE_TESTS:-}" ]; then
    cmd=(make -s installcheck REGRESS="$SANITIZE_TESTS")
else
    cmd=(tools/run-tests.sh)
fi
# Positive control: the running server has the sanitizer runtime and the instrumented exlink.
check='maps=/proc/$(head -n 1 "$EXLINK_PGDATA/postmaster.pid")/maps
       grep -q libasan "$maps" && grep -q exlink.so "$maps" || { echo "sanitize: the server runs without ASan"; exit 1; }
       echo "sanitize: server runs with $(grep -o "[^/]*asan[^/ ]*\.so[.0-9]*" "$maps" | sort -u | tr "\n" " ")"
       exec "$@"'
(cd "$work" && EXLINK_SANITIZE=1 EXLINK_KEEP_LOG="$out/server.log" tools/with-cluster.sh bash -c "$check" check "${cmd[@]}") 2>&1 | tee "$out/suite.log"
suite=${PIPESTATUS[0]}
cp -r "$work/results/." "$out/" 2>/dev/null || true
[ -f "$work/regression.diffs" ] && cp "$work/regression.diffs" "$out/"

# Reports: ASan blocks (==PID==ERROR ... ==PID==ABORTING) and UBSan "runtime error" lines
# with their stacks. One involves exlink when a frame or the location is in exlink's code.
perl -0777 -ne '
    my @reports;
    push @reports, $1 while /(==\d+==ERROR: \w+Sanitizer.*?(?:==\d+==ABORTING|\z))/gs;
    push @reports, $1 while /^([^\n]*runtime error: [^\n]*\n(?:[ \t]+#\d+ [^\n]*\n)*)/gm;
    my $ours = 0;
    for my $r (@reports) {
        my $mine = $r =~ m{exlink\.so|\bsrc/\w+\.[ch]:\d+} ? 1 : 0;
        $ours += $mine;
        print STDERR ($mine ? "---- report involving exlink ----\n" : "---- report outside exlink ----\n"), $r, "\n";
    }
    print scalar(@reports), " $ours\n";
' "$out/server.log" >"$out/counts.txt" 2>"$out/reports.txt"
read -r reports ours <"$out/counts.txt"
# A backend or a background worker killed by a signal, or a backend exiting abnormally (a parallel
# worker exits with code 1 after an ordinary error; test/shell/crash_recovery.sh kills backends
# with signal 9 on purpose: neither is a crash here).
crashes=$(grep -E '(server process|background worker "[^"]*") \(PID [0-9]+\) (was terminated by signal|exited with exit code)' "$out/server.log" \
          | grep -vE 'terminated by signal 9: Killed|background worker .* exited with exit code 1$' | grep -c . || true)
[ -s "$out/reports.txt" ] && head -n 200 "$out/reports.txt"
echo
echo "sanitize: suite exit $suite in $(( $(date +%s) - start )) s; sanitizer reports: ${reports:-?} (involving exlink: ${ours:-?}); server crashes: $crashes"
echo "sanitize: server log and reports in results/sanitize/"
status=0
[ "$suite" -eq 0 ] || status=1
[ "${ours:-1}" -eq 0 ] || status=1
[ "$crashes" -eq 0 ] || status=1
exit $status
