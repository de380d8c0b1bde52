#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every SQL example of the docs (README.md and docs/*.md) so the docs cannot drift from the
# code.  Each Markdown file runs in a fresh database, its blocks in order, each block in its own
# psql session as the superuser (a block that needs a role says SET ROLE).  Conventions (also in
# docs/README.md):
#
#   ```sql                      run; any error fails the test
#   ```sql fails=42501          run; must raise at least one error, and every error must have
#                               this SQLSTATE (keep such blocks to the refused statements)
#   ```sql db=postgres          run in database "postgres" instead of the fresh one (pg_cron)
#   ```sql requires=pg_cron     skipped (reported) when that extension is not available/preloaded
#   ```sql-norun                shown only, never run (syntax sketches, future API, fragments)
#   ```text output              right after a sql block (blank lines between allowed): the
#                               block's expected psql output (aligned; trailing blanks and the
#                               "(N rows)" footer ignored); a difference fails the test
#   <!-- docs-test-setup        hidden SQL run at this point, as a block that must succeed
#   ...                         (test data, stand-ins); invisible when the Markdown is rendered
#   -->
#   <!-- docs-test: database=analytics -->   name of the fresh database for this file
#   <!-- docs-test: skip -->                 do not run this file
#
# psql meta-commands work in blocks (\i paths are relative to the repository root).  Attributes
# combine: ```sql fails=42501 requires=pg_cron.  Roles a file creates are dropped after it (with
# DROP OWNED BY in its database and in "postgres"), and its database is dropped.
#   usage: test/shell/docs_examples.sh [FILE.md ...]     (default: README.md docs/*.md)
#
# PENDING: pages written before this convention existed.  Their blocks still run and failures
# are listed, but do not fail the test.  Adapt a page (hidden setup blocks for the objects its
# examples assume, sql-norun for fragments), then remove it from this list.
set -uo pipefail
cd "$(dirname "$0")/../.."
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(README.md docs/*.md)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-docs.XXXXXX")
# DOCS_EXAMPLES_KEEP=1 keeps each block's SQL and output (NNN.sql, NNN.stdout) for writing docs.
if [ -n "${DOCS_EXAMPLES_KEEP:-}" ]; then echo "blocks and outputs kept in $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
pending=" "
psql=(psql -X -q)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
failures=0; ran=0; skipped=0; pending_failures=0

normalize() {   # psql output as compared: no trailing blanks, no "(N rows)", no edge blank lines
    sed -E 's/[ \t]+$//; /^\([0-9]+ rows?\)$/d' "$1" | sed '/./,$!d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

has_requirement() {   # extension available (and preloaded if it must be)
    local ext=$1
    [ "$("${psql[@]}" -At -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = '$ext'")" = 1 ] || return 1
    case "$ext" in
        pg_cron) "${psql[@]}" -At -d postgres -c "SHOW shared_preload_libraries" | grep -q pg_cron ;;
        *) return 0 ;;
    esac
}

for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    failures_before=$failures
    slug=$(printf '%s' "${f%.md}" | tr -c 'a-zA-Z0-9_' '_')
    dir="$tmp/$slug"
    mkdir -p "$dir"
    # Split the file into numbered blocks: NNN.sql + NNN.meta (kind, line, attributes).
    awk -v out="$dir" '
        function start(kind, attrs) {
            n++; cur = sprintf("%s/%03d", out, n)
            printf "kind=%s\nline=%d\nattrs=%s\n", kind, NR, attrs > (cur ".meta"); close(cur ".meta")
            printf "" > (cur ".sql")
        }
        mode == "" && /^[ \t]*<!-- docs-test: .*-->/ {
            d = $0; sub(/^[ \t]*<!-- docs-test: */, "", d); sub(/ *-->.*$/, "", d)
            print d >> (out "/directives"); next }
        mode == "" && /^[ \t]*<!-- docs-test-setup[ \t]*$/ { start("setup", ""); mode = "setup"; next }
        mode == "" && /^[ \t]*```sql([ \t].*)?$/ {
            a = $0; sub(/^[ \t]*```sql[ \t]*/, "", a); start("sql", a); mode = "sql"; next }
        mode == "" && after_sql && /^[ \t]*```text[ \t]+output[ \t]*$/ {
            printf "" > (cur ".expected"); mode = "output"; after_sql = 0; next }
        mode == "" && /^[ \t]*$/ { next }
        mode == "" { after_sql = 0 }
        mode == "" && /^[ \t]*```text[ \t]+output[ \t]*$/ {
            printf "FAIL %s:%d: an output block must follow a sql block\n", FILENAME, NR; bad = 1 }
        mode == "" && /^[ \t]*(```|~~~)/ {
            fence = $0; sub(/^[ \t]*/, "", fence); match(fence, /^(`+|~+)/)
            fence = substr(fence, 1, RLENGTH); mode = "other"; next }
        mode == "other" {
            l = $0; sub(/^[ \t]*/, "", l)
            if (index(l, fence) == 1 && l ~ /^(`+|~+)[ \t]*$/ && length(l) >= length(fence)) mode = ""
            next }
        mode == "sql" && /^[ \t]*```[ \t]*$/ { mode = ""; after_sql = 1; next }
        mode == "output" && /^[ \t]*```[ \t]*$/ { mode = ""; next }
        mode == "output" { print >> (cur ".expected"); next }
        mode == "setup" && /^[ \t]*-->[ \t]*$/ { mode = ""; next }
        mode != "" { print >> (cur ".sql") }
        END { exit bad }
    ' "$f" || failures=$((failures + 1))
    grep -qx 'skip' "$dir/directives" 2>/dev/null && { echo "skip $f (docs-test: skip)"; continue; }
    ls "$dir"/*.meta >/dev/null 2>&1 || continue
    db=$(sed -n 's/^database=//p' "$dir/directives" 2>/dev/null | tail -1)
    [ -n "$db" ] || db="doctest_$slug"
    roles_before=$("${psql[@]}" -At -d postgres -c "SELECT string_agg(quote_literal(rolname), ',') FROM pg_roles")
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\"" >/dev/null
    for meta in "$dir"/*.meta; do
        blk=${meta%.meta}
        kind=$(sed -n 's/^kind=//p' "$meta"); line=$(sed -n 's/^line=//p' "$meta")
        attrs=$(sed -n 's/^attrs=//p' "$meta")
        fails=""; target=$db; req=""
        for a in $attrs; do
            case "$a" in
                fails=*) fails=${a#fails=} ;;
                db=*) target=${a#db=} ;;
                requires=*) req=${a#requires=} ;;
                *) echo "FAIL $f:$line: unknown block attribute '$a'"; failures=$((failures + 1)); continue 2 ;;
            esac
        done
        if [ -n "$req" ] && ! has_requirement "$req"; then
            echo "skip $f:$line (requires $req)"; skipped=$((skipped + 1)); continue
        fi
        ran=$((ran + 1))
        if [ -z "$fails" ]; then
            if ! "${psql[@]}" -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$target" -f "$blk.sql" \
                    >"$blk.stdout" 2>"$blk.out"; then
                echo "FAIL $f:$line ($kind block): unexpected error"
                sed 's/^/    /' "$blk.out" | grep -v '^    LOCATION:' | tail -n 15
                failures=$((failures + 1))
            elif [ -f "$blk.expected" ]; then
                if ! diff -u <(normalize "$blk.expected") <(normalize "$blk.stdout") >"$blk.diff"; then
                    echo "FAIL $f:$line: the output shown differs from what the block returns"
                    tail -n +3 "$blk.diff" | head -n 30 | sed 's/^/    /'
                    failures=$((failures + 1))
                fi
            fi
        elif [ -f "$blk.expected" ]; then
            echo "FAIL $f:$line: a fails= block cannot have an output block (it would not be checked)"
            failures=$((failures + 1))
        else
            "${psql[@]}" -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -d "$target" -f "$blk.sql" >"$blk.out" 2>&1
            errs=$(grep -oE 'ERROR:  [0-9A-Z]{5}' "$blk.out" | awk '{ print $2 }' | sort -u)
            if [ -z "$errs" ] || [ "$errs" != "$fails" ]; then
                echo "FAIL $f:$line: expected every error to be SQLSTATE $fails, got '${errs:-no error}'"
                sed 's/^/    /' "$blk.out" | grep -v '^    LOCATION:' | tail -n 15
                failures=$((failures + 1))
            fi
        fi
    done
    # Clean up: the database, then the roles this file created.
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
    for r in $("${psql[@]}" -At -d postgres -c "SELECT quote_ident(rolname) FROM pg_roles WHERE rolname NOT IN ($roles_before)"); do
        "${psql[@]}" -d postgres -c "DROP OWNED BY $r CASCADE" -c "DROP ROLE $r" >/dev/null \
            || { echo "FAIL $f: could not drop role $r it created"; failures=$((failures + 1)); }
    done
    if [ $failures -eq $failures_before ]; then
        echo "ok   $f ($(ls "$dir"/*.meta | wc -l) blocks)"
    elif [[ "$pending" == *" $f "* ]]; then
        echo "PENDING $f ($((failures - failures_before)) failures, not counted: see PENDING above)"
        pending_failures=$((pending_failures + failures - failures_before))
        failures=$failures_before
    else
        echo "FAILED $f ($((failures - failures_before)) failures)"
    fi
done

echo "docs examples: $ran blocks run, $skipped skipped, $failures failed, $pending_failures in pending pages"
[ $failures -eq 0 ]
