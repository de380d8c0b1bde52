#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The table "Properties at a glance" of docs/reference.md matches the catalog: one row per
# function and aggregate overload of exlink (support functions of aggregates and types exempt),
# with its kind, volatility (for an aggregate, the most volatile of its transition and final
# functions), parallel safety, strictness, security and whether PUBLIC may EXECUTE it.
# On a difference, the rows the catalog gives are printed: paste them into the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=exlink_reference_properties
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION exlink CASCADE"
catalog=$(psql -X -At -v ON_ERROR_STOP=1 -d $db <<'SQL'
WITH p AS (
  SELECT p.oid, p.prokind, p.proparallel, p.proisstrict, p.prosecdef, p.proacl, p.prorettype,
         CASE WHEN p.prokind = 'a' THEN
                (SELECT CASE WHEN 'v' IN (t.provolatile, coalesce(f.provolatile, 'i')) THEN 'v'
                             WHEN 's' IN (t.provolatile, coalesce(f.provolatile, 'i')) THEN 's' ELSE 'i' END
                   FROM pg_aggregate a JOIN pg_proc t ON t.oid = a.aggtransfn
                   LEFT JOIN pg_proc f ON f.oid = a.aggfinalfn
                  WHERE a.aggfnoid = p.oid)
              ELSE p.provolatile::text END AS vol
    FROM pg_proc p
   WHERE p.pronamespace = 'exlink'::regnamespace
     AND p.proname !~ '_(transfn|combinefn|serialfn|deserialfn|finalfn|in|out|recv|send)$')
SELECT '| `' || replace(replace(p.oid::regprocedure::text, 'double precision', 'float8'), ',', ', ') || '` | '
       || CASE WHEN p.prokind = 'a' THEN 'aggregate' WHEN p.prorettype = 'trigger'::regtype THEN 'trigger'
               ELSE 'function' END || ' | '
       || CASE p.vol WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END || ' | '
       || CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END || ' | '
       || CASE WHEN p.prokind = 'a' THEN '–' WHEN p.proisstrict THEN 'yes' ELSE 'no' END || ' | '
       || CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'invoker' END || ' | '
       || CASE WHEN p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) x WHERE x.grantee = 0)
               THEN 'PUBLIC' ELSE 'revoked' END || ' |'
  FROM p;
SQL
)
documented=$(awk '/^## Properties at a glance/ { on = 1; next } on && /^## / { on = 0 }
                  on && /^\| `exlink\.[a-z_]+\(/ { gsub(/[ \t]+/, " "); print }' docs/reference.md |
             LC_ALL=C sort)
if ! diff -u <(echo "$documented") <(echo "$catalog" | sed 's/[ \t]\+/ /g' | LC_ALL=C sort) >/tmp/reference_properties.$$.diff; then
    echo "docs/reference.md, Properties at a glance: differs from the catalog (- documented, + catalog):"
    tail -n +3 /tmp/reference_properties.$$.diff
    rm -f /tmp/reference_properties.$$.diff
    exit 1
fi
rm -f /tmp/reference_properties.$$.diff
echo "$(echo "$catalog" | wc -l) function and aggregate overloads match the catalog"
