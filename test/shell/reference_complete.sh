#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every SQL-visible object of exlink (function, aggregate, type, table, view, setting) is named
# in docs/reference.md.  Aggregate support functions and type I/O functions are covered by
# their aggregate's or type's entry and are exempt.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=exlink_reference_check
psql -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION exlink CASCADE"
objects=$(psql -X -At -v ON_ERROR_STOP=1 -d $db <<'SQL'
SELECT DISTINCT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'exlink'::regnamespace
   AND p.proname !~ '_(transfn|combinefn|serialfn|deserialfn|finalfn|in|out|recv|send)$'
UNION
SELECT t.typname FROM pg_type t
 WHERE t.typnamespace = 'exlink'::regnamespace AND t.typelem = 0
   AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
UNION
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'exlink'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
UNION
SELECT name FROM pg_settings WHERE name LIKE 'exlink.%'
ORDER BY 1;
SQL
)
missing=0
for o in $objects; do
    if ! grep -qE "(exlink\.|\`)${o//./\\.}\b" docs/reference.md; then
        echo "not in docs/reference.md: $o"
        missing=$((missing + 1))
    fi
done
echo "$(echo "$objects" | wc -w) objects checked, $missing missing"
[ "$missing" -eq 0 ]
