#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# exlink benchmarks: builds bench_data (BENCH_ROWS rows, 10 drivers, an outcome, an employee),
# then runs every bench/cases/*.sql case and prints the median time of the exlink query against
# its baseline, measured in the same run, as a ratio.  Run through `make bench`.
#
# A case file:
#   -- title: linked_correlation(x, y) vs corr(x, y)
#   -- target: <= 1.1          (optional; ">= 1.7" for speed-ups)
#   -- setup: SET max_parallel_workers_per_gather = 0;   (optional, any number of lines)
#   -- baseline-setup: ...   -- exlink-setup: ...   (optional: run before that query only, after
#                                                    setup; e.g. the same query under two settings)
#   -- baseline:
#   SELECT corr(outcome, x1) FROM bench_data;
#   -- exlink:
#   SELECT exlink.linked_correlation(outcome, x1) FROM bench_data;
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-5000000}
RUNS=${BENCH_RUNS:-5}
EMPLOYEES=${BENCH_EMPLOYEES:-20000}
psql=(psql -X -q -v ON_ERROR_STOP=1 -At)

echo "exlink bench: $ROWS rows, $EMPLOYEES employees, median of $RUNS runs"
"${psql[@]}" <<SQL
CREATE EXTENSION IF NOT EXISTS exlink CASCADE;
SELECT setseed(0.42);
CREATE UNLOGGED TABLE bench_data AS
SELECT 'emp' || (random() * $EMPLOYEES)::int AS employee,
       x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       0.5 * x1 + 0.3 * x2 - 0.2 * x3 + 0.1 * x4 + random() AS outcome
  FROM (SELECT random() AS x1, random() AS x2, random() AS x3, random() AS x4, random() AS x5,
               random() AS x6, random() AS x7, random() AS x8, random() AS x9, random() AS x10
          FROM generate_series(1, $ROWS)) s;
VACUUM ANALYZE bench_data;
CREATE FUNCTION bench_median(q text, runs int) RETURNS float8 LANGUAGE plpgsql AS \$\$
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

section() { awk -v want="$2" '
    /^-- (title|target|setup|baseline-setup|exlink-setup):/ { next }
    /^-- baseline:/ { cur = "baseline"; next }
    /^-- exlink:/ { cur = "exlink"; next }
    cur == want { print }' "$1"; }
meta() { sed -n "s/^-- $2: *//p" "$1"; }

printf '%-58s %12s %12s %8s %10s\n' case baseline_ms exlink_ms ratio target
for f in bench/cases/*.sql; do
    [ -e "$f" ] || continue
    title=$(meta "$f" title | head -1)
    target=$(meta "$f" target | head -1)
    setup=$(meta "$f" setup)
    bsetup=$(meta "$f" baseline-setup)
    esetup=$(meta "$f" exlink-setup)
    base=$(section "$f" baseline)
    ex=$(section "$f" exlink)
    times=$("${psql[@]}" <<SQL
$setup
$bsetup
SELECT round(bench_median(\$q\$$base\$q\$, $RUNS)::numeric, 1);
$esetup
SELECT round(bench_median(\$q\$$ex\$q\$, $RUNS)::numeric, 1);
SQL
)
    b=$(sed -n 1p <<<"$times"); e=$(sed -n 2p <<<"$times")
    ratio=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%.2f", (b > 0 ? e / b : 0) }')
    met=""
    if [ -n "$target" ]; then
        op=${target%% *}; val=${target#* }
        if awk -v r="$ratio" -v v="$val" -v op="$op" 'BEGIN { exit !((op == "<=" && r <= v) || (op == ">=" && r >= v)) }'; then
            met="met"; else met="MISSED"; fi
    fi
    printf '%-58s %12s %12s %8s %10s %s\n' "$title" "$b" "$e" "$ratio" "$target" "$met"
done
