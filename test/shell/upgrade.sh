#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# ALTER EXTENSION exlink UPDATE from every frozen release gives the same catalog as a fresh
# install of the current version (functions with their definitions, aggregates, types and
# their attributes, tables, views, indexes, triggers, casts, privileges, comments, config-dump
# registrations), and a publication made by the old version keeps working and stays guarded.
set -euo pipefail
cd "$(dirname "$0")/../.."
new=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" exlink.control)
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fresh=exlink_upgrade_fresh
old=exlink_upgrade_old
cust=exlink_upgrade_custodian
work=$(mktemp -d "${TMPDIR:-/tmp}/exlink-upgrade.XXXXXX")
cleanup() {
    rm -rf "$work"
    q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $cust" -c "DROP DATABASE IF EXISTS ${cust}_restored" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# One line per catalog fact about the extension's member objects, with no OIDs in it.
snapshot() {
    q -d "$1" <<'SQL'
WITH members AS (
    SELECT d.classid, d.objid, d.objsubid
      FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'exlink')
       AND d.deptype = 'e'
), facts AS (
    -- identity, comment of every member
    SELECT pg_describe_object(m.classid, m.objid, m.objsubid) AS obj,
           'comment=' || coalesce(obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)), '<none>') AS fact
      FROM members m
    UNION ALL
    -- functions and procedures: full definition (volatility, strictness, parallel safety,
    -- security, SET clauses, body or C symbol), privileges
    SELECT p.oid::regprocedure::text, 'def=' || pg_get_functiondef(p.oid)
      FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
     WHERE p.prokind <> 'a'
    UNION ALL
    SELECT p.oid::regprocedure::text,
           'acl=' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(p.proacl) a), '<default>')
             || ' owner-is-extension-owner=' || (p.proowner = (SELECT extowner FROM pg_extension WHERE extname = 'exlink'))
             || ' cost=' || p.procost || ' rows=' || p.prorows || ' leakproof=' || p.proleakproof
             || ' support=' || p.prosupport::text || ' kind=' || p.prokind::text
             || ' args=' || pg_get_function_arguments(p.oid) || ' result=' || pg_get_function_result(p.oid)
      FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    UNION ALL
    -- aggregates: every support function and option
    SELECT a.aggfnoid::regprocedure::text,
           format('agg kind=%s nargs=%s trans=%s final=%s combine=%s serial=%s deserial=%s mtrans=%s minv=%s mfinal=%s finalextra=%s finalmodify=%s stype=%s sspace=%s init=%s sort=%s',
                  a.aggkind, a.aggnumdirectargs, a.aggtransfn::regprocedure, a.aggfinalfn::regproc,
                  a.aggcombinefn::regproc, a.aggserialfn::regproc, a.aggdeserialfn::regproc,
                  a.aggmtransfn::regproc, a.aggminvtransfn::regproc, a.aggmfinalfn::regproc,
                  a.aggfinalextra, a.aggfinalmodify, a.aggtranstype::regtype, a.aggtransspace,
                  a.agginitval, a.aggsortop::regoperator)
      FROM members m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
    UNION ALL
    -- types: kind, I/O, storage, and attributes of composites (order matters)
    SELECT t.oid::regtype::text,
           format('type kind=%s len=%s align=%s storage=%s in=%s out=%s recv=%s send=%s array=%s',
                  t.typtype, t.typlen, t.typalign, t.typstorage, t.typinput::regproc, t.typoutput::regproc,
                  t.typreceive::regproc, t.typsend::regproc, t.typarray::regtype)
             || coalesce(' attrs=' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                         || coalesce(' comment=' || col_description(t.typrelid, a.attnum), ''),
                                                         ', ' ORDER BY a.attnum)
                                          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')
             || ' acl=' || coalesce(t.typacl::text, '<default>')
      FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    UNION ALL
    -- relations: columns with types, defaults, constraints, view definitions, privileges
    SELECT c.oid::regclass::text,
           format('rel kind=%s acl=%s', c.relkind, coalesce(c.relacl::text, '<default>'))
             || ' cols=' || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                  || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                                  || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                                                  || coalesce(' comment=' || col_description(c.oid, a.attnum), '')
                                                  || coalesce(' acl=' || a.attacl::text, ''),
                                                  ', ' ORDER BY a.attnum)
                                       FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
             || coalesce(' view=' || pg_get_viewdef(c.oid), '')
             || coalesce(' constraints=' || (SELECT string_agg(conname || ' ' || pg_get_constraintdef(co.oid), '; ' ORDER BY conname)
                                               FROM pg_constraint co WHERE co.conrelid = c.oid), '')
             || coalesce(' indexes=' || (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY 1)
                                           FROM pg_index i WHERE i.indrelid = c.oid), '')
             || coalesce(' triggers=' || (SELECT string_agg(pg_get_triggerdef(tg.oid), '; ' ORDER BY 1)
                                            FROM pg_trigger tg WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal), '')
             || coalesce(' policies=' || (SELECT string_agg(pol.polname || ' ' || pg_get_expr(pol.polqual, pol.polrelid), '; ' ORDER BY 1)
                                            FROM pg_policy pol WHERE pol.polrelid = c.oid), '')
             || ' rls=' || c.relrowsecurity
      FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT 'cast ' || format_type(ca.castsource, NULL) || ' -> ' || format_type(ca.casttarget, NULL),
           format('func=%s context=%s method=%s', ca.castfunc::regprocedure, ca.castcontext, ca.castmethod)
      FROM members m JOIN pg_cast ca ON m.classid = 'pg_cast'::regclass AND ca.oid = m.objid
    UNION ALL
    SELECT 'operator ' || o.oid::regoperator::text, format('proc=%s', o.oprcode::regproc)
      FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
    UNION ALL
    SELECT 'event trigger ' || e.evtname, format('event=%s func=%s tags=%s enabled=%s', e.evtevent, e.evtfoid::regproc, e.evttags, e.evtenabled)
      FROM members m JOIN pg_event_trigger e ON m.classid = 'pg_event_trigger'::regclass AND e.oid = m.objid
    UNION ALL
    -- initial privileges (pg_init_privs: what pg_dump takes as the extension's own, and leaves out)
    SELECT pg_describe_object(ip.classoid, ip.objoid, ip.objsubid),
           'initprivs=' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(ip.initprivs) a), '<none>')
      FROM members m JOIN pg_init_privs ip ON ip.classoid = m.classid AND ip.objoid = m.objid
    UNION ALL
    -- the schema itself and what pg_dump keeps of the extension's tables
    SELECT 'schema exlink', 'acl=' || coalesce(n.nspacl::text, '<default>') || ' comment=' || coalesce(obj_description(n.oid, 'pg_namespace'), '<none>')
      FROM pg_namespace n WHERE n.nspname = 'exlink'
    UNION ALL
    SELECT 'extension config',
           coalesce((SELECT string_agg(c::regclass::text || ' ' || coalesce(w, ''), '; ' ORDER BY c::regclass::text)
                       FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, w)
                      WHERE e.extname = 'exlink'), '<none>')
)
SELECT line FROM (SELECT obj || ' | ' || fact AS line FROM facts) f ORDER BY line COLLATE "C";
SQL
}

q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "DROP DATABASE IF EXISTS $old" \
  -c "CREATE DATABASE $fresh" -c "CREATE DATABASE $old" >/dev/null
q -d "$fresh" -c "CREATE EXTENSION exlink CASCADE" >/dev/null
snapshot "$fresh" >"$work/fresh.txt"
[ "$(wc -l <"$work/fresh.txt")" -gt 100 ] || { echo "FAILED: the fresh catalog snapshot is too small"; exit 1; }
[ "$(q -d "$fresh" -c "SELECT extversion FROM pg_extension WHERE extname = 'exlink'")" = "$new" ]

status=0
for script in sql/exlink--[0-9]*.[0-9]*.[0-9]*.sql; do
    from=$(basename "$script" .sql); from=${from#exlink--}
    case "$from" in "$new"|*--*) continue;; esac
    q -d postgres -c "DROP DATABASE IF EXISTS $old" -c "CREATE DATABASE $old" >/dev/null
    q -d "$old" -c "CREATE EXTENSION exlink VERSION '$from' CASCADE" >/dev/null
    # A publication made by the old version, read by an analyst before and after the update.
    q -d "$old" <<'SQL' >/dev/null
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_upgrade_analyst') THEN
        CREATE ROLE regress_upgrade_analyst;
    END IF;
END $$;
CREATE SCHEMA published;
GRANT USAGE ON SCHEMA published TO regress_upgrade_analyst;
CREATE TABLE src AS
    SELECT 'team' || (i % 3) AS team, 'e' || (i % 30) AS employee_ref, (i % 7)::float8 AS cx, (i % 5)::float8 AS ex
      FROM generate_series(1, 600) i;
-- team2 of region 'small' has 3 members only: it must stay suppressed
INSERT INTO src SELECT 'small', 'tiny' || (i % 3), 1, 1 FROM generate_series(1, 30) i;
SELECT exlink.publish('published.cells', 'src', 'employee_ref', '{team}', '{cx,ex}',
                      grant_to => '{regress_upgrade_analyst}');
-- a second one, never refreshed after the update: results are published on it directly
SELECT exlink.publish('published.cells_twin', 'src', 'employee_ref', '{team}', '{cx,ex}',
                      grant_to => '{regress_upgrade_analyst}', force => true);
SQL
    # A results table stored by the old version (0.2.0 has them): read after the update and a
    # refresh (its stored driver models must still parse once exlink.driver has grown).
    has_results=$(q -d "$old" -c "SELECT count(*) FROM pg_proc WHERE proname = 'publish_results'")
    if [ "$has_results" != 0 ]; then
        q -d "$old" -c "SELECT exlink.publish_results('published.old_drivers', 'published.cells', 'cx', '{ex}',
                                                      grant_to => '{regress_upgrade_analyst}')" >/dev/null
    fi
    readcells() {
        q -d "$old" -c "SET ROLE regress_upgrade_analyst" -c "SELECT string_agg(team || ':' || members || ':' || round(mean_cx::numeric, 9), ',' ORDER BY team COLLATE \"C\") FROM published.cells"
    }
    before=$(readcells)
    q -d "$old" -c "ALTER EXTENSION exlink UPDATE" >/dev/null
    version=$(q -d "$old" -c "SELECT extversion FROM pg_extension WHERE extname = 'exlink'")
    snapshot "$old" >"$work/from-$from.txt"
    if ! diff -u "$work/fresh.txt" "$work/from-$from.txt" >"$work/diff-$from.txt"; then
        echo "FAILED: catalog after ALTER EXTENSION exlink UPDATE from $from differs from a fresh $new install:"
        head -n 200 "$work/diff-$from.txt"
        status=1
    fi
    [ "$version" = "$new" ] || { echo "FAILED: update from $from reached $version, not $new"; status=1; }
    # The old publication: same released cells after the update, refreshable, still guarded.
    # (a snapshot: refreshed only with the superuser's opt-in to the 0.2.0 change ledger)
    q -d "$old" -c "SET exlink.allow_unsafe_refresh = on" -c "REFRESH MATERIALIZED VIEW published.cells" >/dev/null 2>&1 \
        || q -d "$old" -c "SET exlink.allow_unsafe_refresh = on" -c "SELECT exlink.refresh('published.cells')" >/dev/null
    after=$(readcells)
    echo "from $from: cells before update: $before"
    echo "from $from: cells after update:  $after"
    [ -n "$before" ] && [ "$before" = "$after" ] || { echo "FAILED: cells of a $from publication changed"; status=1; }
    case ",$after," in *",small:"*) echo "FAILED: the 3-member cell was released after the update"; status=1;; esac
    # positive control: the custodian sees the small group in the source
    [ "$(q -d "$old" -c "SELECT count(DISTINCT employee_ref) FROM src WHERE team = 'small'")" = 3 ]
    # the analyst still cannot read the source, and audit_view still finds the guard
    if q -d "$old" -c "SET ROLE regress_upgrade_analyst" -c "SELECT count(*) FROM src" >/dev/null 2>&1; then
        echo "FAILED: the analyst reads the source after the update"; status=1
    fi
    audit=$(q -d "$old" -c "SELECT count(*) FROM exlink.audit_view('published.cells')")
    [ "$audit" = 0 ] || { echo "FAILED: audit_view reports $audit problems on the old publication"; status=1; }
    if [ "$has_results" != 0 ]; then
        q -d "$old" -c "SET exlink.allow_unsafe_refresh = on" -c "SELECT exlink.refresh('published.cells')" >/dev/null
        old_results=$(q -d "$old" -c "SET ROLE regress_upgrade_analyst" \
                        -c "SELECT string_agg(team || ':' || driver || ':' || (beta IS NOT NULL), ',' ORDER BY team COLLATE \"C\") FROM published.old_drivers")
        echo "from $from: results stored by $from, after the update and a refresh: $old_results"
        [ "$old_results" = "$(echo "$after" | sed -E 's/(team[0-9]+):[0-9]+:[0-9.]+/\1:ex:true/g')" ] || { echo "FAILED: results stored by $from"; status=1; }
    fi
    # A results table on a publication made by the old version (rebuilt by its first refresh),
    # read by the analyst: the teams the publication releases, each with its model.
    q -d "$old" -c "SET exlink.allow_unsafe_refresh = on" -c "SELECT exlink.publish_results('published.twin_drivers', 'published.cells_twin', 'cx', '{ex}',
                                                  grant_to => '{regress_upgrade_analyst}')" >/dev/null
    results=$(q -d "$old" -c "SET ROLE regress_upgrade_analyst" \
                -c "SELECT string_agg(team || ':' || members || ':' || driver || ':' || (beta IS NOT NULL AND p_value IS NOT NULL), ',' ORDER BY team COLLATE \"C\") FROM published.twin_drivers")
    echo "from $from: results on a $from publication: $results"
    [ "$results" = "$(echo "$after" | sed -E 's/(team[0-9]+:[0-9]+):[0-9.]+/\1:ex:true/g')" ] || { echo "FAILED: results of a $from publication"; status=1; }
    # ... and a results table made after the update is a table, which information_schema lists to
    # the analyst (a schema browser finds it), with all its columns
    listed=$(q -d "$old" -c "SET ROLE regress_upgrade_analyst" \
               -c "SELECT t.table_type || ':' || (SELECT count(*) FROM information_schema.columns c WHERE c.table_schema = 'published' AND c.table_name = 'twin_drivers')
                     FROM information_schema.tables t WHERE t.table_schema = 'published' AND t.table_name = 'twin_drivers'")
    echo "from $from: a results table made after the update, in information_schema: $listed"
    case "$listed" in "BASE TABLE:"[1-9]*) ;; *) echo "FAILED: information_schema does not list published.twin_drivers"; status=1;; esac

    # The custodian's workflow survives the update: a custodian who is not a superuser and holds
    # exactly the grants the $from tutorial documented publishes before the update, and after it
    # publishes by period and refreshes (a database of its own: its grants are not the fresh
    # catalog's).
    case "$from" in
        0.1.0) grants="GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean),
                           exlink.unpublish(regclass), exlink.audit_view(regclass) TO regress_upgrade_custodian;
                       GRANT SELECT, INSERT, DELETE ON exlink.publications TO regress_upgrade_custodian;";;
        0.2.0) grants="GRANT EXECUTE ON FUNCTION exlink.publish(text, regclass, name, name[], name[], name[], integer, boolean, boolean, boolean),
                           exlink.unpublish(regclass), exlink.audit_view(regclass), exlink.refresh(regclass) TO regress_upgrade_custodian;
                       GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.publications, exlink.released_cells, exlink.release_ledger TO regress_upgrade_custodian;
                       GRANT SELECT ON exlink.refresh_status TO regress_upgrade_custodian;";;
        *) echo "FAILED: the custodian's documented grants of $from are not known to this test"; status=1; continue;;
    esac
    q -d postgres -c "DROP DATABASE IF EXISTS $cust" -c "CREATE DATABASE $cust" >/dev/null
    q -d "$cust" -c "CREATE EXTENSION exlink VERSION '$from' CASCADE" >/dev/null
    q -d "$cust" <<SQL >/dev/null
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_upgrade_custodian') THEN
        CREATE ROLE regress_upgrade_custodian;
    END IF;
END \$\$;
GRANT USAGE ON SCHEMA exlink TO regress_upgrade_custodian, regress_upgrade_analyst;
$grants
CREATE SCHEMA pub AUTHORIZATION regress_upgrade_custodian;
GRANT USAGE ON SCHEMA pub TO regress_upgrade_analyst;
SET ROLE regress_upgrade_custodian;
CREATE TABLE pub.src AS
    SELECT 'team' || (i % 3) AS team, 'e' || (i % 30) AS employee_ref, (i % 7)::float8 AS cx, date '2025-01-01' + (i % 59) AS at
      FROM generate_series(1, 600) i;
INSERT INTO pub.src SELECT 'small', 'tiny' || (i % 3), 1, date '2025-01-15' FROM generate_series(1, 30) i;
SELECT exlink.publish('pub.snapshot', 'pub.src', 'employee_ref', '{team}', '{cx}', grant_to => '{regress_upgrade_analyst}');
SQL
    # publish_results gained an argument in 0.3.0 (a new signature): EXECUTE granted on the 0.2.0
    # one (as docs/bi-and-scheduling.md showed) is carried to the new one by the update.
    if [ "$from" = 0.2.0 ]; then
        q -d "$cust" -c "GRANT EXECUTE ON FUNCTION exlink.publish_results(text, regclass, name, name[], text, name[]) TO regress_upgrade_analyst" >/dev/null
    fi
    q -d "$cust" -c "ALTER EXTENSION exlink UPDATE" 2>"$work/notices-$from.txt" >/dev/null
    if [ "$from" = 0.2.0 ]; then
        carried=$(q -d "$cust" -c "SELECT has_function_privilege('regress_upgrade_analyst', 'exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name)', 'EXECUTE')::text
                                   || ',' || has_function_privilege('public', 'exlink.publish_results(text, regclass, name, name[], text, name[], integer, bigint, float8, name)', 'EXECUTE')::text")
        echo "from 0.2.0: EXECUTE on publish_results carried to the new signature (granted role, PUBLIC): $carried"
        [ "$carried" = "true,false" ] || { echo "FAILED: the grant on publish_results was not carried over"; status=1; }
    fi
    if ! q -d "$cust" <<'SQL' >"$work/custodian-$from.txt" 2>&1; then
SET ROLE regress_upgrade_custodian;
SELECT exlink.publish('pub.monthly', 'pub.src', 'employee_ref', '{team}', '{cx}', grant_to => '{regress_upgrade_analyst}', force => true,
                      period => 'date_trunc(''month'', at::timestamp)::date', period_length => '1 month');
INSERT INTO pub.src SELECT 'team' || (i % 3), 'e' || (i % 30), (i % 5)::float8, date '2025-03-10' FROM generate_series(1, 300) i;
SELECT 'refresh released ' || released FROM exlink.refresh('pub.monthly');
SELECT 'seal released ' || exlink.seal('pub.monthly', '2025-04-01');
SQL
        echo "FAILED: a custodian with the $from grants cannot publish by period and refresh after the update:"
        cat "$work/custodian-$from.txt" "$work/notices-$from.txt"; status=1
    fi
    periods=$(q -d "$cust" -c "SET ROLE regress_upgrade_analyst" \
                -c "SELECT string_agg(to_char(period, 'MM') || ':' || team || ':' || members, ',' ORDER BY period, team COLLATE \"C\") FROM pub.monthly")
    echo "from $from: a custodian with the $from grants, after the update: $(grep -h 'released' "$work/custodian-$from.txt" | paste -sd, -); the analyst reads $periods"
    [ "$periods" = "01:team1:10,01:team2:10,02:team0:10,02:team1:10,02:team2:10,03:team0:10,03:team1:10,03:team2:10" ] \
        || { echo "FAILED: the period publication of a custodian with the $from grants"; status=1; }
    case ",$periods," in *":small:"*) echo "FAILED: the 3-member team was released"; status=1;; esac
    # pg_dump keeps the custodian's grants, the update's included: dumped and restored, the
    # custodian seals, reads the periods' status and publishes in the restored database with no
    # new grant.
    q -d postgres -c "DROP DATABASE IF EXISTS ${cust}_restored" -c "CREATE DATABASE ${cust}_restored" >/dev/null
    "$EXLINK_PGROOT$(pg_config --bindir)/pg_dump" -Fc -f "$work/cust-$from.dump" "$cust"
    # (pg_restore refreshes the snapshot publication: one made by 0.2.0 is filled from its
    # released cells; one made by 0.1.0 computes its cells itself, so its refresh is refused as
    # any refresh of a snapshot, and it stays empty: publish it again, by period)
    "$EXLINK_PGROOT$(pg_config --bindir)/pg_restore" -d "${cust}_restored" "$work/cust-$from.dump" 2>"$work/restore-$from.txt" || true
    errors=$(grep -c 'error:' "$work/restore-$from.txt" || true)
    case "$from:$errors" in
        0.1.0:1) grep -q 'pub.snapshot is a snapshot publication' "$work/restore-$from.txt" || errors=unexpected;;
        0.1.0:*) errors=unexpected;;
    esac
    if [ "$from:$errors" != "0.1.0:1" ] && [ "$errors" != 0 ]; then
        echo "FAILED: restoring the custodian's database updated from $from:"; cat "$work/restore-$from.txt"; status=1
    fi
    snapshot_cells="not populated"
    if [ "$(q -d "${cust}_restored" -c "SELECT relispopulated FROM pg_class WHERE oid = 'pub.snapshot'::regclass")" = t ]; then
        snapshot_cells=$(q -d "${cust}_restored" -c "SELECT count(*) FROM pub.snapshot")
    fi
    echo "from $from: restored, the snapshot publication holds: $snapshot_cells"
    if [ "$from" = 0.2.0 ] && [ "$snapshot_cells" != "$(q -d "$cust" -c "SELECT count(*) FROM pub.snapshot")" ]; then
        echo "FAILED: the restored snapshot publication does not hold the cells released before the dump"; status=1
    fi
    if ! q -d "${cust}_restored" <<'SQL' >"$work/restored-$from.txt" 2>&1; then
SET ROLE regress_upgrade_custodian;
INSERT INTO pub.src SELECT 'team' || (i % 3), 'e' || (i % 30), (i % 4)::float8, date '2025-05-12' FROM generate_series(1, 300) i;
SELECT 'seal released ' || exlink.seal('pub.monthly', '2025-05-01');
SELECT 'status rows ' || count(*) FROM exlink.period_status('pub.monthly');
CREATE TABLE pub.other AS SELECT * FROM pub.src;
SELECT exlink.publish('pub.other_monthly', 'pub.other', 'employee_ref', '{team}', '{cx}', period => 'date_trunc(''month'', at::timestamp)::date');
SELECT 'other seal released ' || exlink.seal('pub.other_monthly', '2025-05-01');
SQL
        echo "FAILED: after a dump and restore of the database updated from $from, the custodian cannot seal or publish:"
        cat "$work/restored-$from.txt"; status=1
    fi
    echo "from $from: dumped and restored, the custodian: $(grep -h 'released\|status' "$work/restored-$from.txt" | paste -sd, -)"
    q -d postgres -c "DROP DATABASE IF EXISTS ${cust}_restored" >/dev/null
    if [ "$from" = 0.1.0 ]; then
        grep -q 'cannot publish snapshots .* until granted: GRANT SELECT, INSERT, UPDATE, DELETE ON exlink.released_cells, exlink.release_ledger TO regress_upgrade_custodian' "$work/notices-$from.txt" \
            || { echo "FAILED: the update from 0.1.0 does not say what the custodian needs for snapshots"; cat "$work/notices-$from.txt"; status=1; }
    fi
done
q -d postgres -c "DROP DATABASE IF EXISTS $cust" -c "DROP DATABASE IF EXISTS ${cust}_restored" -c "DROP ROLE IF EXISTS regress_upgrade_analyst" -c "DROP ROLE IF EXISTS regress_upgrade_custodian" >/dev/null 2>&1 || true
[ $status -eq 0 ] && echo ok
exit $status
