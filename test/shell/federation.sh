#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Federation over postgres_fdw (docs/federation.md): two country databases, each with its own
# key and publication, and a central database merging their released cells.  Runs the page's
# ```sql-norun fed=DB[,DB] blocks in order (as the superuser, in the databases named), then
# checks: the merge is pushed down to each country (EXPLAIN VERBOSE); the figures of the union
# equal, to 12 significant digits, those computed in one database from the rows of the same
# cells; the rows the union misses are exactly those of the cells the countries suppressed; the
# central exlink.min_group_size is honoured.  Needs the cluster on TCP (EXLINK_TCP=1
# tools/with-cluster.sh, as make test runs it): postgres_fdw signs in with a password.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${EXLINK_TCP_HOST:-}" ]; then
    echo "skip: the cluster does not listen on TCP (run under EXLINK_TCP=1 tools/with-cluster.sh)"
    exit 0
fi
page=docs/federation.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-fed.XXXXXX")
psql=(psql -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="-c client_min_messages=warning"
dbs=(country_a country_b central single)
cleanup() {
    for db in "${dbs[@]}"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
    for r in fed_reader central_analyst; do
        "${psql[@]}" -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
for db in "${dbs[@]}"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done

# The page's blocks: NN.sql and NN.dbs.
awk -v out="$tmp" '
    mode == "" && /^```sql-norun fed=[a-z_,]+[ \t]*$/ {
        n++; cur = sprintf("%s/%02d", out, n); d = $0; sub(/^.*fed=/, "", d); sub(/[ \t]*$/, "", d)
        print d > (cur ".dbs"); printf "" > (cur ".sql"); mode = "sql"; next }
    mode == "sql" && /^```[ \t]*$/ { mode = ""; next }
    mode == "sql" { print > (cur ".sql") }
' "$page"
for f in "$tmp"/*.sql; do
    for db in $(tr ',' ' ' < "${f%.sql}.dbs"); do
        sed "s/host '127.0.0.1', port '5432'/host '$EXLINK_TCP_HOST', port '$PGPORT'/" "$f" \
            | "${psql[@]}" -d "$db" -o "${f%.sql}.$db.out" \
            || { echo "FAIL: block $(basename "$f") in $db"; cat "$f"; exit 1; }
    done
done
echo "page blocks run: $(ls "$tmp"/*.sql | wc -l)"

central() { "${psql[@]}" -At -d central -c "SET ROLE central_analyst" -c "$1"; }

# 1. Pushdown: each country merges its own cells.
plan=$(central "EXPLAIN (VERBOSE, COSTS OFF)
    SELECT exlink.merge(m) FROM (SELECT exlink.merge(moments) AS m FROM fed.cells_a
                                 UNION ALL SELECT exlink.merge(moments) FROM fed.cells_b) s")
echo "$plan"
[ "$(grep -c 'Remote SQL: SELECT exlink.merge(moments) FROM published.team_cells' <<<"$plan")" -eq 2 ] \
    || { echo "FAIL: exlink.merge not pushed down to both countries"; exit 1; }
grep -q 'Remote SQL: SELECT exlink.merge(moments) FROM published.team_cells' "$tmp"/*.central.out \
    || { echo "FAIL: the page's EXPLAIN shows no pushdown"; exit 1; }
echo "pushdown: exlink.merge runs in each country"

# 2. Exactness: the same cells, computed in one database from their rows.
for c in a b; do
    "${psql[@]}" -d "country_$c" -c "\\copy (SELECT '${c^^}', * FROM linked) TO '$tmp/linked_$c.csv' CSV"
    "${psql[@]}" -d "country_$c" -c "\\copy (SELECT '${c^^}', team, period FROM published.team_cells) TO '$tmp/cells_$c.csv' CSV"
done
"${psql[@]}" -d single <<SQL
CREATE EXTENSION exlink CASCADE;
CREATE TABLE linked (country text, pseudonym text, team text, period integer, csat float8, engagement float8, enablement float8);
CREATE TABLE released (country text, team text, period integer);
\\copy linked FROM '$tmp/linked_a.csv' CSV
\\copy linked FROM '$tmp/linked_b.csv' CSV
\\copy released FROM '$tmp/cells_a.csv' CSV
\\copy released FROM '$tmp/cells_b.csv' CSV
SQL
# n, r and the means from the rows of the released cells; the clustered p and interval (which
# depend on how members are split across cells) from the same cells published in one database.
figures="round(c.n::numeric) || ' ' || to_char(c.r, '9.99999999999EEEE')"
inference="to_char(c.p_value, '9.99999999999EEEE') || ' ' || to_char(c.ci_low, '9.99999999999EEEE') || ' ' || to_char(c.ci_high, '9.99999999999EEEE')"
union_corr="(SELECT (exlink.linked_correlation(exlink.merge(m), 1, 3)).*
    FROM (SELECT exlink.merge(moments) AS m FROM fed.cells_a UNION ALL SELECT exlink.merge(moments) FROM fed.cells_b) s) c"
fed=$(central "SELECT $figures FROM $union_corr")
one=$("${psql[@]}" -At -d single -c "SELECT $figures FROM (SELECT (exlink.linked_correlation(csat, enablement, pseudonym)).*
    FROM linked JOIN released USING (country, team, period)) c")
means_fed=$(central "SELECT array_to_string(ARRAY(SELECT to_char(x, '9.99999999999EEEE') FROM unnest(exlink.means(exlink.merge(moments))) x), ' ') FROM fed.cells")
means_one=$("${psql[@]}" -At -d single -c "SELECT array_to_string(ARRAY(SELECT to_char(x, '9.99999999999EEEE') FROM unnest(ARRAY[avg(csat), avg(engagement), avg(enablement)]) x), ' ')
    FROM linked JOIN released USING (country, team, period)")
echo "union of released cells: n r = $fed; means $means_fed"
echo "one database, rows of the same cells: n r = $one; means $means_one"
[ "$fed" = "$one" ] && [ "$means_fed" = "$means_one" ] || { echo "FAIL: the union differs from one database over the same cells"; exit 1; }
"${psql[@]}" -d single -o /dev/null -c "SELECT exlink.publish('public.cells', 'linked', 'pseudonym', '{country,team,period}', '{csat,engagement,enablement}', k => 5)"
inf_fed=$(central "SELECT $inference FROM $union_corr")
inf_one=$("${psql[@]}" -At -d single -c "SELECT $inference FROM (SELECT (exlink.linked_correlation(exlink.merge(moments), 1, 3)).*
    FROM cells JOIN released USING (country, team, period)) c")
echo "p, ci: union $inf_fed; one database, same cells $inf_one"
[ "$inf_fed" = "$inf_one" ] || { echo "FAIL: the union's inference differs from one database's over the same cells"; exit 1; }
drv_fed=$(central "SELECT string_agg(d.name || ' ' || to_char(d.beta, '9.99999999999EEEE') || ' ' || to_char(d.lmg, '9.99999999999EEEE'), ', ' ORDER BY d.ordinal)
    FROM (SELECT exlink.driver_weights(exlink.merge(moments), ARRAY['engagement', 'enablement']) AS m FROM fed.cells) s, exlink.drivers(s.m) d")
drv_one=$("${psql[@]}" -At -d single -c "SELECT string_agg(d.name || ' ' || to_char(d.beta, '9.99999999999EEEE') || ' ' || to_char(d.lmg, '9.99999999999EEEE'), ', ' ORDER BY d.ordinal)
    FROM (SELECT exlink.driver_weights(csat, ARRAY[engagement, enablement], pseudonym, ARRAY['engagement', 'enablement']) AS m
            FROM linked JOIN released USING (country, team, period)) s, exlink.drivers(s.m) d")
echo "drivers: union $drv_fed; one database $drv_one"
[ "$drv_fed" = "$drv_one" ] || { echo "FAIL: driver weights differ"; exit 1; }

# 3. Per-database suppression: the union misses exactly the rows of the suppressed cells.
read -r all missing suppressed_cells < <("${psql[@]}" -At -F ' ' -d single -c "
    SELECT count(*), count(*) FILTER (WHERE r.team IS NULL), count(DISTINCT (l.country, l.team, l.period)) FILTER (WHERE r.team IS NULL)
      FROM linked l LEFT JOIN released r USING (country, team, period)")
n_fed=$(central "SELECT exlink.n(exlink.merge(moments)) FROM fed.cells")
echo "all rows: $all; in the union: $n_fed; in the $suppressed_cells cells the countries suppressed: $missing"
[ "$suppressed_cells" -ge 2 ] || { echo "FAIL: the page's data should have suppressed cells in both countries"; exit 1; }
[ $((n_fed + missing)) -eq "$all" ] || { echo "FAIL: union + suppressed rows != all rows"; exit 1; }

# 4. The central k: a superuser's setting in the central database applies to merged values.
check_k() {
    central "SELECT (exlink.driver_weights(exlink.merge(moments))).suppressed || ' ' || (exlink.linked_correlation(exlink.merge(moments), 1, 2)).suppressed
               || ' ' || exlink.members(exlink.merge(moments)) FROM fed.cells"
}
got=$(check_k); [ "${got% *}" = "false false" ] || { echo "FAIL: central k 5: $got"; exit 1; }
"${psql[@]}" -d postgres -c "ALTER DATABASE central SET exlink.min_group_size = 30"
got=$(check_k); [ "${got% *}" = "true true" ] || { echo "FAIL: central k 30 not honoured: $got"; exit 1; }
echo "central k: released under k = 5, suppressed under k = 30 (merged members bound ${got##* })"
echo "federation: ok"
