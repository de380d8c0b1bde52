#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make package`: build the Debian package postgresql-15-exlink from debian/ with the PostgreSQL
# team's tooling (pg_buildext, dh --with pgxs_loop), in a copy of the source tree, then check it.
# The build runs `make installcheck` against the package's files in a throwaway pg_virtualenv
# cluster without exlink or pg_stat_statements preloaded (the alternative expected files).
# The check extracts the package into a throwaway root and compares it with the tree: the
# control file, every install and upgrade script, the library and its exported symbols.
# Leaves the .deb files in dist/.  A few minutes (not part of make test).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
need=(debhelper postgresql-server-dev-all)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "exlink: run: sudo apt-get install -y ${missing[*]}" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/exlink-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/exlink"
# The committed tree (plus uncommitted changes to tracked files), without build products.
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/exlink")
cd "$work/exlink"
pg_buildext checkcontrol
set +e
dpkg-buildpackage -us -uc -b 2>&1 | tee "$work/build.log" | grep -E '^(### |test |dpkg-deb:| All | [0-9]+ of )'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/build.log"
    find "$work" -name regression.diffs -exec head -n 200 {} \;
    echo "exlink: package build failed"
    exit 1
fi

deb=$(ls "$work"/postgresql-15-exlink_*_*.deb)
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" exlink.control)
dpkg-deb -I "$deb" > "$work/info"
grep -q "^ Package: postgresql-15-exlink$" "$work/info"
grep -q "^ Version: $version$" "$work/info"
grep -E '^ Depends:' "$work/info" | grep -q 'postgresql-15' || { echo "FAIL: no dependency on postgresql-15"; exit 1; }
grep -E '^ Depends:' "$work/info" | grep -q 'libgsl' || { echo "FAIL: no dependency on GSL"; exit 1; }

root="$work/root"
dpkg -x "$deb" "$root"
ext=$root/usr/share/postgresql/15/extension
[ -f "$root/usr/lib/postgresql/15/lib/exlink.so" ] || { echo "FAIL: exlink.so missing"; exit 1; }
cmp exlink.control "$ext/exlink.control"
for f in $(git -C "$top" ls-files 'sql/exlink--*.sql'); do   # frozen and upgrade scripts
    cmp "$f" "$ext/$(basename "$f")"; done
make -s "sql/exlink--$version.sql" >/dev/null   # the assembled install script, as the Makefile makes it
cmp "sql/exlink--$version.sql" "$ext/exlink--$version.sql"
for src in sql/upgrade/*.sql; do   # the assembled upgrade scripts of the version in development
    [ -e "$src" ] || continue
    f="sql/exlink--$(basename "$src")"
    make -s "$f" >/dev/null
    cmp "$f" "$ext/$(basename "$f")"
done
# Every C symbol any shipped install or upgrade script binds must be exported by the library.
nm -D --defined-only "$root/usr/lib/postgresql/15/lib/exlink.so" > "$work/symbols"
for sym in $(grep -ohE "MODULE_PATHNAME', *'exlink_[a-z0-9_]+'" "$ext"/exlink--*.sql | sed "s/.*'\(exlink_[a-z0-9_]*\)'/\1/" | sort -u); do
    grep -qw "$sym" "$work/symbols" \
        || { echo "FAIL: exlink.so does not export $sym"; exit 1; }
done
ls "$root/usr/share/doc/postgresql-15-exlink/" | grep -q '^README.md' || { echo "FAIL: no README in the docs"; exit 1; }
echo "package: $(basename "$deb"): $(dpkg-deb -c "$deb" | wc -l) entries; control, scripts and symbols checked"
mkdir -p "$top/dist"
cp "$work"/*.deb "$top/dist/"
echo "exlink: packages in dist/: $(cd "$top/dist" && ls *.deb | tr '\n' ' ')"
