#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The key backup recipe of docs/pseudonyms.md ("Backups without keys, and key escrow"): a dump
# without the key data, the keys exported separately (escrow), both files readable by their
# owner only (umask 077); a restore from the dump has no key (pseudonymize refuses), importing
# the escrowed keys brings back the same pseudonyms (current, older and retired versions).
set -euo pipefail
bindir="$EXLINK_PGROOT$(pg_config --bindir)"
src=exlink_keybak_src_$$ dst=exlink_keybak_dst_$$
work=$(mktemp -d)
chmod 777 "$work"   # the recipe's commands may run as another OS user (the cluster's)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At)
cleanup() {
    for db in "$src" "$dst"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

key=5eed0fb0a7c4e11a5eed0fb0a7c4e11a5eed0fb0a7c4e11a5eed0fb0a7c4e11a
"${psql[@]}" -d postgres -c "CREATE DATABASE $src"
"${psql[@]}" -d "$src" -o /dev/null <<SQL
CREATE EXTENSION exlink CASCADE;
SELECT exlink.create_key('linkage', decode('$key', 'hex'));
SELECT exlink.rotate_key('linkage');
SELECT exlink.create_key('survey');
SELECT exlink.retire_key('linkage', 1);
CREATE TABLE hr AS SELECT 'emp' || i AS employee_id FROM generate_series(1, 5) i;
SQL
pseudonyms="SELECT string_agg(d || ' ' || employee_id || ' ' || exlink.pseudonymize(employee_id, d), E'\n' ORDER BY d, employee_id)
              FROM hr, unnest(ARRAY['linkage', 'survey']) d"
"${psql[@]}" -d "$src" -c "$pseudonyms" > "$work/before.txt"

# The recipe (docs/pseudonyms.md), with the database name substituted.
(
    cd "$work"
    umask 077
    "$bindir/pg_dump" -Fc --exclude-table-data=exlink.pseudonym_keys -d "$src" -f analytics.dump
    "${psql[@]}" -d "$src" -c "\\copy exlink.pseudonym_keys TO 'keys.csv' CSV HEADER"
)
for f in analytics.dump keys.csv; do
    mode=$(stat -c %a "$work/$f")
    [ "$mode" = 600 ] || { echo "FAIL: $f has mode $mode, not 600"; exit 1; }
done
echo "dump and escrow file: mode 600"
# The dump holds no key, in any encoding we know; the escrow file holds them all.
"$bindir/pg_restore" -f "$work/dump.sql" "$work/analytics.dump"
if grep -qi "$key" "$work/dump.sql" || grep -q 'COPY exlink.pseudonym_keys' "$work/dump.sql"; then
    echo "FAIL: the dump holds key data"; exit 1
fi
grep -q "$key" "$work/keys.csv" || { echo "FAIL: the escrow file lacks the imported key"; exit 1; }
[ "$(tail -n +2 "$work/keys.csv" | wc -l)" -eq 3 ] || { echo "FAIL: expected 3 key versions in escrow"; exit 1; }
echo "dump: no key data; escrow: 3 key versions"

# Restore: no key yet, so no pseudonym; then the escrowed keys; then the same pseudonyms.
"${psql[@]}" -d postgres -c "CREATE DATABASE $dst"
"$bindir/pg_restore" --exit-on-error -d "$dst" "$work/analytics.dump"
[ "$("${psql[@]}" -d "$dst" -c "SELECT count(*) FROM exlink.pseudonym_keys")" = 0 ] || { echo "FAIL: keys restored from the dump"; exit 1; }
if "${psql[@]}" -d "$dst" -c "SELECT exlink.pseudonymize('emp1', 'linkage')" 2>/dev/null; then
    echo "FAIL: a pseudonym without a key"; exit 1
fi
(cd "$work" && "${psql[@]}" -d "$dst" -c "\\copy exlink.pseudonym_keys FROM 'keys.csv' CSV HEADER")
"${psql[@]}" -d "$dst" -c "$pseudonyms" > "$work/after.txt"
diff "$work/before.txt" "$work/after.txt"
[ "$("${psql[@]}" -d "$dst" -c "SELECT string_agg(domain || version || (retired IS NOT NULL), ',' ORDER BY domain, version) FROM exlink.pseudonym_keys")" \
  = "linkage1true,linkage2false,survey1false" ] || { echo "FAIL: versions or retirement lost"; exit 1; }
echo "restored with escrowed keys: same pseudonyms for $(wc -l < "$work/after.txt") (domain, id), retired version still retired"
