#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Lifecycle of the extension in one database (ALTER EXTENSION UPDATE: test/shell/upgrade.sh):
#  1. pg_dump / pg_restore of a database with keys, a publication granted to an analyst and the
#     custodian's policy rows: every row of every extension configuration table (the key table,
#     the registry, the policy, and any table added later) comes back exactly once, the same
#     pseudonyms and cells, the analyst still reads the publication and not the source, and the
#     restored publication refreshes;
#  2. DROP EXTENSION exlink is refused while a publication depends on it, and with CASCADE
#     leaves nothing of exlink behind: no object depending on the extension, no function, type,
#     relation, operator or cast of exlink, nothing in the (empty, kept) schema exlink, no initial
#     privileges or per-database settings, no exlink.* setting but the library's own (documented)
#     ones; the custodian's publication (a table of released cells) stays, without its moments
#     column (of exlink's type), as a period publication does;
#  3. CREATE EXTENSION again gives a working extension (a key, a pseudonym, a publication).
set -euo pipefail
# Its publications are snapshots refreshed with the 0.2.0 change ledger: a superuser's opt-in
# (exlink.allow_unsafe_refresh) since 0.3.0, which refuses such refreshes by default.
export PGOPTIONS="${PGOPTIONS:-} -c exlink.allow_unsafe_refresh=on"
bindir="$EXLINK_PGROOT$(pg_config --bindir)"
db=exlink_lifecycle
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/exlink-lifecycle.XXXXXX")
cleanup() {
    rm -rf "$work"
    q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" \
      -c "DROP ROLE IF EXISTS regress_lifecycle_analyst" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup; mkdir -p "$work"
q -d postgres -c "CREATE ROLE regress_lifecycle_analyst" -c "CREATE DATABASE $db" >/dev/null

q -d "$db" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION exlink CASCADE;
SELECT exlink.create_key('linkage', decode(repeat('ab', 32), 'hex'));
SELECT exlink.rotate_key('linkage');
SELECT exlink.create_key('survey');
CREATE TABLE src AS
    SELECT 'team' || (i % 4) AS team, exlink.pseudonymize('emp' || (i % 48), 'linkage') AS employee,
           (i % 7)::float8 AS cx, (i % 5)::float8 AS ex
      FROM generate_series(1, 960) i;
INSERT INTO src SELECT 'tiny', 'p' || (i % 3), 1, 1 FROM generate_series(1, 30) i;   -- 3 members
CREATE SCHEMA published;
GRANT USAGE ON SCHEMA published, exlink TO regress_lifecycle_analyst;
SELECT exlink.publish('published.cells', 'src', 'employee', '{team}', '{cx,ex}',
                      grant_to => '{regress_lifecycle_analyst}');
INSERT INTO exlink.protected_columns (pattern, reason) VALUES ('salary', 'local policy');
SQL

# Every row of every configuration table of the extension, as text, sorted.
config_rows() {
    q -d "$1" <<'SQL'
DO $$
DECLARE t regclass; n bigint; h text;
BEGIN
    FOR t IN SELECT unnest(extconfig)::regclass FROM pg_extension WHERE extname = 'exlink' ORDER BY 1::text LOOP
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text COLLATE "C"), '''')) FROM %s x', t)
            INTO n, h;
        RAISE NOTICE '% % rows %', t, n, h;
    END LOOP;
END $$;
SQL
}
cells() { q -d "$1" -c "SET ROLE regress_lifecycle_analyst" -c "SELECT string_agg(team || ':' || members || ':' || round(mean_cx::numeric, 9), ',' ORDER BY team COLLATE \"C\") FROM published.cells"; }
pseudonyms() { q -d "$1" -c "SELECT string_agg(exlink.pseudonymize('emp' || i, d, v), ',' ORDER BY d, v, i) FROM generate_series(1, 3) i, (VALUES ('linkage', 1), ('linkage', 2), ('survey', 1)) k(d, v)"; }

config_rows "$db" 2>"$work/config-before.txt"
before_cells=$(cells "$db")
before_pseudonyms=$(pseudonyms "$db")
"$bindir/pg_dump" -Fc -f "$work/db.dump" "$db"
q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
"$bindir/pg_restore" --exit-on-error -d "${db}_restored" "$work/db.dump"
config_rows "${db}_restored" 2>"$work/config-after.txt"
echo "configuration tables (rows, md5 of the rows):"; sed 's/^NOTICE: */  /' "$work/config-after.txt"
status=0
if ! diff -u "$work/config-before.txt" "$work/config-after.txt"; then
    echo "FAILED: configuration tables differ after restore"; status=1
fi
[ "$(grep -c rows "$work/config-after.txt")" -ge 3 ] || { echo "FAILED: fewer than 3 configuration tables?"; status=1; }
after_cells=$(cells "${db}_restored")
echo "cells before: $before_cells"; echo "cells after:  $after_cells"
[ -n "$before_cells" ] && [ "$before_cells" = "$after_cells" ] || { echo "FAILED: cells differ after restore"; status=1; }
case ",$after_cells," in *",tiny:"*) echo "FAILED: the 3-member cell is published"; status=1;; esac
[ "$(pseudonyms "${db}_restored")" = "$before_pseudonyms" ] || { echo "FAILED: pseudonyms differ after restore"; status=1; }
if q -d "${db}_restored" -c "SET ROLE regress_lifecycle_analyst" -c "SELECT count(*) FROM src" >/dev/null 2>&1; then
    echo "FAILED: the analyst reads the source after restore"; status=1
fi
# the restored publication refreshes (and sees new rows)
q -d "${db}_restored" -c "INSERT INTO src SELECT 'team1', exlink.pseudonymize('new' || i, 'linkage'), 6, 6 FROM generate_series(1, 10) i" \
  -c "SELECT exlink.refresh('published.cells')" >/dev/null
[ "$(q -d "${db}_restored" -c "SELECT members FROM published.cells WHERE team = 'team1'")" = 22 ] \
    || { echo "FAILED: the restored publication does not refresh"; status=1; }
echo "restore: configuration rows, cells, pseudonyms, privileges and refresh as before"

# 2. DROP EXTENSION: refused while a publication depends on it, then leaves nothing behind.
if q -d "$db" -c "DROP EXTENSION exlink" >/dev/null 2>"$work/drop.err"; then
    echo "FAILED: DROP EXTENSION (no CASCADE) dropped the publications' types under them"; status=1
fi
grep -q "cannot drop extension exlink because other objects depend on it" "$work/drop.err" \
    || { echo "FAILED: unexpected DROP EXTENSION refusal:"; cat "$work/drop.err"; status=1; }
q -d "$db" -c "SET client_min_messages = warning" -c "DROP EXTENSION exlink CASCADE" >/dev/null
leftovers=$(q -d "$db" <<'SQL'
-- CREATE EXTENSION makes the schema named in exlink.control when it is missing, and PostgreSQL
-- does not make it a member of the extension: it stays, empty (docs/reliability.md).
SELECT 'namespace ' || nspname FROM pg_namespace WHERE nspname ILIKE '%exlink%' AND nspname <> 'exlink'
UNION ALL SELECT 'object in schema exlink: ' || x FROM (
    SELECT oid::regclass::text FROM pg_class WHERE relnamespace = 'exlink'::regnamespace
    UNION ALL SELECT oid::regprocedure::text FROM pg_proc WHERE pronamespace = 'exlink'::regnamespace
    UNION ALL SELECT oid::regtype::text FROM pg_type WHERE typnamespace = 'exlink'::regnamespace
    UNION ALL SELECT conname::text FROM pg_constraint WHERE connamespace = 'exlink'::regnamespace
    UNION ALL SELECT oprname::text FROM pg_operator WHERE oprnamespace = 'exlink'::regnamespace) o(x)
UNION ALL SELECT 'function ' || oid::regprocedure FROM pg_proc WHERE proname ILIKE '%exlink%' OR prosrc ILIKE '%exlink%' OR probin ILIKE '%exlink%'
UNION ALL SELECT 'type ' || oid::regtype FROM pg_type WHERE typname ILIKE '%exlink%'
   OR typnamespace NOT IN (SELECT oid FROM pg_namespace)
UNION ALL SELECT 'relation ' || relname FROM pg_class WHERE relname ILIKE '%exlink%' OR relnamespace NOT IN (SELECT oid FROM pg_namespace)
   OR relname IN ('publications', 'pseudonym_keys', 'protected_columns')
UNION ALL SELECT 'operator ' || oid::regoperator FROM pg_operator WHERE oprcode::oid NOT IN (SELECT oid FROM pg_proc) AND oprcode <> 0
UNION ALL SELECT 'cast ' || castsource::regtype || '->' || casttarget::regtype FROM pg_cast WHERE castfunc <> 0 AND castfunc NOT IN (SELECT oid FROM pg_proc)
UNION ALL SELECT 'event trigger ' || evtname FROM pg_event_trigger WHERE evtfoid NOT IN (SELECT oid FROM pg_proc)
UNION ALL SELECT 'dependency on a dropped object ' || classid::regclass || ' ' || objid
  FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND NOT EXISTS (SELECT FROM pg_extension e WHERE e.oid = d.refobjid)
UNION ALL SELECT 'initial privileges of a dropped object ' || classoid::regclass || ' ' || objoid
  FROM pg_init_privs i WHERE i.classoid = 'pg_proc'::regclass AND NOT EXISTS (SELECT FROM pg_proc p WHERE p.oid = i.objoid)
UNION ALL SELECT 'initial privileges of a dropped object ' || classoid::regclass || ' ' || objoid
  FROM pg_init_privs i WHERE i.classoid = 'pg_class'::regclass AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = i.objoid)
UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname = 'exlink'
UNION ALL SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE array_to_string(setconfig, ',') ILIKE '%exlink%'
-- the library (preloaded) keeps its own settings; anything else named exlink.* is a leftover
UNION ALL SELECT 'setting ' || name FROM pg_settings WHERE name LIKE 'exlink.%' AND coalesce(short_desc, '') = ''
SQL
)
if [ -n "$leftovers" ]; then echo "FAILED: left behind by DROP EXTENSION:"; echo "$leftovers"; status=1; fi
# The publication is the custodian's table of released figures: it stays, with no column of an
# exlink type (moments went with the type), and is dropped by its owner.
kept=$(q -d "$db" -c "SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
                        FROM pg_attribute a WHERE a.attrelid = to_regclass('published.cells') AND a.attnum > 0 AND NOT a.attisdropped")
echo "drop: the publication's table stays: $kept"
case "$kept" in *moments*|"") echo "FAILED: after DROP EXTENSION CASCADE the publication's table is $kept"; status=1;; esac
q -d "$db" -c "DROP TABLE published.cells" >/dev/null
echo "drop: nothing left behind but the empty schema exlink (pgcrypto, which CASCADE installed, stays: $(q -d "$db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'"))"

# 3. CREATE EXTENSION again: a working extension, the same catalog size as a fresh install.
members() { q -d "$1" -c "SELECT count(*) FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'exlink') AND deptype = 'e'"; }
q -d "$db" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION exlink;
SELECT exlink.create_key('linkage', decode(repeat('ab', 32), 'hex'));
SELECT exlink.publish('published.cells', 'src', 'employee', '{team}', '{cx,ex}',
                      grant_to => '{regress_lifecycle_analyst}');
SQL
again=$(members "$db"); fresh=$(members "${db}_restored")
[ "$again" = "$fresh" ] || { echo "FAILED: re-created extension has $again member objects, a restored one $fresh"; status=1; }
[ "$(q -d "$db" -c "SELECT exlink.pseudonymize('emp1', 'linkage', 1) = encode(hmac('emp1', decode(repeat('ab', 32), 'hex'), 'sha256'), 'hex')")" = t ] \
    || { echo "FAILED: pseudonymize after re-create"; status=1; }
[ "$(cells "$db")" = "$before_cells" ] || { echo "FAILED: the re-published cells differ"; status=1; }
echo "re-create: $again member objects, keys, pseudonyms and publish work"
[ $status -eq 0 ] && echo ok
exit $status
