#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pg_dump keeps pseudonym keys: dump a database with keys (random, imported, rotated, retired),
# restore it into a new database (also one in LATIN1), and get the same pseudonyms.
# Also: a plain dump holds the key bytes (as the docs warn), and the server log holds no key.
set -euo pipefail
export PGCLIENTENCODING=UTF8   # the IDs below are UTF-8, whatever the locale
bindir="$EXLINK_PGROOT$(pg_config --bindir)"
src=exlink_dump_src_$$ dst=exlink_dump_dst_$$ lat=exlink_dump_latin1_$$
work=$(mktemp -d)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At)
cleanup() {
    for db in "$src" "$dst" "$lat"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

key=7a11e5c0ffee7a11e5c0ffee7a11e5c0ffee7a11e5c0ffee7a11e5c0ffee7a11
"${psql[@]}" -d postgres -c "CREATE DATABASE $src"
"${psql[@]}" -d "$src" -o /dev/null <<SQL
CREATE EXTENSION exlink CASCADE;
SELECT exlink.create_key('linkage', decode('$key', 'hex'));
SELECT exlink.rotate_key('linkage');
SELECT exlink.create_key('survey');
SELECT exlink.rotate_key('survey');
SELECT exlink.retire_key('survey', 1);
SQL

# The pseudonyms to reproduce: every version of every domain, ASCII and non-ASCII IDs.
pseudonyms_sql="SELECT string_agg(domain || ' ' || version || ' ' || id || ' ' ||
        CASE WHEN retired IS NULL THEN exlink.pseudonymize(id, domain, version) ELSE 'retired' END ||
        CASE WHEN version = (SELECT max(version) FROM exlink.pseudonym_keys m WHERE m.domain = k.domain)
             THEN ' ' || exlink.pseudonymize(id, domain) ELSE '' END, E'\n' ORDER BY domain, version, id)
  FROM exlink.pseudonym_keys k, unnest(ARRAY['emp1', 'emp2', 'Zoë', '', '日本']) id"
"${psql[@]}" -d "$src" -c "$pseudonyms_sql" > "$work/src.txt"
[ "$(wc -l < "$work/src.txt")" -eq 20 ] || { echo "expected 20 pseudonym lines"; cat "$work/src.txt"; exit 1; }

# Custom-format dump and restore into a new database.
"$bindir/pg_dump" -Fc -d "$src" -f "$work/src.dump"
"${psql[@]}" -d postgres -c "CREATE DATABASE $dst"
"$bindir/pg_restore" --exit-on-error -d "$dst" "$work/src.dump"
"${psql[@]}" -d "$dst" -c "$pseudonyms_sql" > "$work/dst.txt"
diff "$work/src.txt" "$work/dst.txt"
echo "restored: same pseudonyms for $(wc -l < "$work/dst.txt") (domain, version, id)"

# A LATIN1 database gives the same pseudonyms (IDs are hashed as UTF-8, like convert_to(id, 'UTF8')).
"${psql[@]}" -d postgres -c "CREATE DATABASE $lat ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
"$bindir/pg_restore" --exit-on-error -d "$lat" "$work/src.dump"
"${psql[@]}" -d "$lat" -c "$(sed "s/, '日本'//" <<<"$pseudonyms_sql")" > "$work/lat.txt"
diff <(grep -v ' 日本 ' "$work/src.txt") "$work/lat.txt"
echo "LATIN1 database: same pseudonyms"

# The restored key still equals the pgcrypto expression on the imported key.
got=$("${psql[@]}" -d "$dst" -c "SELECT exlink.pseudonymize('emp1', 'linkage', 1) = encode(hmac(convert_to('emp1', 'UTF8'), decode('$key', 'hex'), 'sha256'), 'hex')")
[ "$got" = t ] || { echo "restored imported key differs"; exit 1; }

# A plain dump holds the keys in clear: dumps are as secret as the keys (docs/pseudonyms.md).
"$bindir/pg_dump" -d "$src" -t exlink.pseudonym_keys --data-only > "$work/plain.sql"
grep -q "$key" "$work/plain.sql" || { echo "plain dump does not show the imported key?"; exit 1; }
echo "plain dump holds the keys (documented)"

# An analyst cannot dump the keys.
"${psql[@]}" -d "$src" -c "CREATE ROLE regress_dump_analyst LOGIN; GRANT USAGE ON SCHEMA exlink TO regress_dump_analyst"
if "$bindir/pg_dump" -U regress_dump_analyst -d "$src" -t exlink.pseudonym_keys --data-only > "$work/analyst.sql" 2> "$work/analyst.err"; then
    "${psql[@]}" -d "$src" -c "DROP OWNED BY regress_dump_analyst; DROP ROLE regress_dump_analyst"
    echo "an analyst could dump the key table"; exit 1
fi
"${psql[@]}" -d "$src" -c "DROP OWNED BY regress_dump_analyst; DROP ROLE regress_dump_analyst"
grep -q "permission denied for table pseudonym_keys" "$work/analyst.err"
echo "analyst: $(head -1 "$work/analyst.err")"

# No key reached the server log (successful imports log nothing; see the docs for failed ones).
if [ -n "${EXLINK_SERVER_LOG:-}" ] && [ -r "$EXLINK_SERVER_LOG" ]; then
    if grep -qi "$key" "$EXLINK_SERVER_LOG"; then echo "key found in the server log"; exit 1; fi
    echo "server log: no key"
fi
