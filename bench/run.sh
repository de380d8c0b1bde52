#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# exlink benchmarks: builds bench_data (BENCH_ROWS rows, 10 drivers, an outcome, an employee),
# prints the median times of PostgreSQL built-ins (the baseline table), then runs every
# bench/cases/*.sql case and prints the median time of the exlink query against its own
# baseline query, measured in the same run, as a ratio.  Run through `make bench`.
#
# Environment: BENCH_ROWS (5000000), BENCH_RUNS (5), BENCH_EMPLOYEES (20000),
#              BENCH_CASES (glob of case files to run, default '*', e.g. '2*').
# Results are also written as Markdown to bench/out/results.md (not committed; copy the
# figures into docs/performance.md).
#
# A case file (format stable: other lines starting with "-- name:" before the queries are
# ignored, so new header fields can be added without breaking older scripts):
#   -- title: linked_correlation(x, y) vs corr(x, y)
#   -- target: <= 1.1          (optional; ">= 1.7" for speed-ups)
#   -- setup: SET max_parallel_workers_per_gather = 0;   (optional, any number of lines)
#   -- baseline-setup: ...   -- exlink-setup: ...   (optional: run before that query only, after
#                                                    setup; e.g. the same query under two settings)
#   -- baseline:
#   SELECT corr(outcome, x1) FROM bench_data;
#   -- exlink:
#   SELECT exlink.linked_correlation(outcome, x1) FROM bench_data;
# ratio = exlink_ms / baseline_ms (below 1: exlink is faster).  A target "<= v" is met when
# ratio <= v, ">= v" when ratio >= v (unchanged since the first version): for a speed-up
# target, put the slower configuration (e.g. serial) under "-- exlink:" and the faster one
# (e.g. parallel) under "-- baseline:", so ratio = slow / fast = the speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-5000000}
RUNS=${BENCH_RUNS:-5}
EMPLOYEES=${BENCH_EMPLOYEES:-20000}
CASES=${BENCH_CASES:-*}
psql=(psql -X -q -v ON_ERROR_STOP=1 -At)
mkdir -p bench/out
md=bench/out/results.md

pgversion=$("${psql[@]}" -c "SHOW server_version")
workers=$("${psql[@]}" -c "SHOW max_parallel_workers_per_gather")
echo "exlink bench: $ROWS rows, $EMPLOYEES employees, median of $RUNS runs after one warm-up"
echo "PostgreSQL $pgversion, max_parallel_workers_per_gather = $workers, $(nproc 2>/dev/null || echo '?') CPUs"
"${psql[@]}" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS exlink CASCADE;
DROP TABLE IF EXISTS bench_data;
SELECT setseed(0.42);
CREATE UNLOGGED TABLE bench_data AS
SELECT 'emp' || (random() * $EMPLOYEES)::int AS employee,
       x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       0.5 * x1 + 0.3 * x2 - 0.2 * x3 + 0.1 * x4 + random() AS outcome
  FROM (SELECT random() AS x1, random() AS x2, random() AS x3, random() AS x4, random() AS x5,
               random() AS x6, random() AS x7, random() AS x8, random() AS x9, random() AS x10
          FROM generate_series(1, $ROWS)) s;
VACUUM ANALYZE bench_data;
CREATE OR REPLACE FUNCTION bench_median(q text, runs int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; ms float8[] := '{}';
BEGIN
    EXECUTE q;   -- warm-up
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m) FROM unnest(ms) m);
END \$\$;
SQL

{
    echo "# exlink bench results"
    echo
    echo "$ROWS rows, $EMPLOYEES employees, median of $RUNS runs; PostgreSQL $pgversion,"
    echo "max_parallel_workers_per_gather = $workers, $(nproc 2>/dev/null || echo '?') CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "| baseline (PostgreSQL built-in) | median ms | ns/row |"
    echo "| --- | ---: | ---: |"
} >"$md"

# --- Baseline table: absolute medians of PostgreSQL built-ins ---------------------------------
echo
echo "Baseline: PostgreSQL built-ins over bench_data"
printf '  %-44s %12s %10s\n' query median_ms ns/row
builtin() {
    local label=$1 q=$2 ms
    ms=$("${psql[@]}" -c "SELECT round(bench_median(\$q\$$q\$q\$, $RUNS)::numeric, 1)")
    printf '  %-44s %12s %10s\n' "$label" "$ms" "$(awk -v m="$ms" -v n="$ROWS" 'BEGIN { printf "%.1f", m * 1e6 / n }')"
    echo "| \`$label\` | $ms | $(awk -v m="$ms" -v n="$ROWS" 'BEGIN { printf "%.1f", m * 1e6 / n }') |" >>"$md"
}
builtin 'count(*)' 'SELECT count(*) FROM bench_data'
builtin 'corr(outcome, x1)' 'SELECT corr(outcome, x1) FROM bench_data'
builtin 'avg() of all 11 columns' 'SELECT avg(outcome), avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6), avg(x7), avg(x8), avg(x9), avg(x10) FROM bench_data'
builtin 'count(DISTINCT employee)' 'SELECT count(DISTINCT employee) FROM bench_data'

# --- Cases: exlink query vs its baseline, same run ---------------------------------------------
section() { awk -v want="$2" '
    /^-- (title|target|setup|baseline-setup|exlink-setup):/ { next }
    /^-- baseline:/ { cur = "baseline"; next }
    /^-- exlink:/ { cur = "exlink"; next }
    cur == want { print }' "$1"; }
meta() { sed -n "s/^-- $2: *//p" "$1"; }

{
    echo
    echo "| case | baseline ms | exlink ms | ratio | target | |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
} >>"$md"
echo
echo "Cases: ratio = exlink_ms / baseline_ms in the same run (below 1: exlink faster)"
printf '  %-56s %11s %11s %7s %9s\n' case baseline_ms exlink_ms ratio target
status=0
for f in bench/cases/$CASES.sql; do
    [ -e "$f" ] || continue
    title=$(meta "$f" title | head -1)
    target=$(meta "$f" target | head -1)
    setup=$(meta "$f" setup)
    bsetup=$(meta "$f" baseline-setup)
    esetup=$(meta "$f" exlink-setup)
    base=$(section "$f" baseline)
    ex=$(section "$f" exlink)
    if ! times=$("${psql[@]}" 2>"bench/out/$(basename "$f" .sql).err" <<SQL
$setup
$bsetup
SELECT round(bench_median(\$q\$$base\$q\$, $RUNS)::numeric, 1);
$esetup
SELECT round(bench_median(\$q\$$ex\$q\$, $RUNS)::numeric, 1);
SQL
    ); then
        printf '  %-56s %s\n' "${title:-$f}" "$(grep -m1 'ERROR' "bench/out/$(basename "$f" .sql).err" | cut -c1-100)"
        echo "| ${title:-$f} | error | | | $target | |" >>"$md"
        status=1
        continue
    fi
    b=$(sed -n 1p <<<"$times"); e=$(sed -n 2p <<<"$times")
    ratio=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%.2f", (b > 0 ? e / b : 0) }')
    met=""
    if [ -n "$target" ]; then
        op=${target%% *}; val=${target#* }
        if awk -v r="$ratio" -v v="$val" -v op="$op" 'BEGIN { exit !((op == "<=" && r <= v) || (op == ">=" && r >= v)) }'; then
            met="met"; else met="MISSED"; fi
    fi
    if [ ${#title} -gt 56 ]; then   # long titles get a line of their own
        printf '  %s\n' "$title"; title=""
    fi
    printf '  %-56s %11s %11s %7s %9s %s\n' "$title" "$b" "$e" "$ratio" "$target" "$met"
    echo "| $(meta "$f" title | head -1) | $b | $e | $ratio | $target | $met |" >>"$md"
done
echo
echo "Markdown copy: $md"
exit $status
