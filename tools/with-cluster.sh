#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run a command against a throwaway PostgreSQL cluster with exlink installed, touching nothing
# outside one temporary directory:
#  - a private copy of the server installation (bin, lib, share) into which `make install
#    DESTDIR=...` installs exlink as built (PostgreSQL finds its share and lib directories
#    relative to its binary, as its own `make check` relies on), so no root is needed and
#    concurrent runs never see each other's builds;
#  - a private data directory and socket directory, shared_preload_libraries = 'exlink', trust
#    authentication over the Unix socket only (no TCP, so no port clashes); with EXLINK_TCP=1
#    it also listens on 127.0.0.1 (a free port), password (scram) authentication only there,
#    for tests of client drivers (the command then also sees EXLINK_TCP_HOST=127.0.0.1);
#  - everything torn down on exit, whatever happens, except the server log: it is copied to
#    $EXLINK_KEEP_LOG (default results/server.log; empty: not kept), so crashes and sanitizer
#    reports can be read after the run.
# EXLINK_SANITIZE=1 starts the server (only the server: not initdb, pg_ctl or the clients) with
# the AddressSanitizer runtime preloaded, for a library built with -fsanitize (make sanitize).
# initdb refuses to run as root, so as root the cluster runs as the "postgres" system user.
#   usage: tools/with-cluster.sh COMMAND [ARGS...]
# The command sees PGHOST, PGPORT, PGUSER=postgres, PGDATABASE=postgres and EXLINK_PGDATA, and
# EXLINK_SERVER_WRAPPER (for `pg_ctl -p`: the sanitizer wrapper, or empty) for other clusters it starts.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/exlink-cluster.XXXXXX")
chmod 755 "$dir"
root="$dir/root"
for d in "$(pg_config --bindir)/.." "$(pg_config --sharedir)"; do
    d=$(cd "$d" && pwd)
    mkdir -p "$root$d"
    cp -a "$d/." "$root$d/"
done
make -s -C "$top" install DESTDIR="$root" >/dev/null
bindir="$root$(pg_config --bindir)"
export EXLINK_PGROOT="$root"
port=$(( 20000 + RANDOM % 20000 ))
runas=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$dir"
    runas=(runuser -u postgres --)
fi

keep_log=${EXLINK_KEEP_LOG-$top/results/server.log}
cleanup() {
    "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    if [ -n "$keep_log" ] && [ -f "$dir/server.log" ]; then
        mkdir -p "$(dirname "$keep_log")" && cp "$dir/server.log" "$keep_log" || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${runas[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync \
    -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

preload="exlink"
[ -f "$root$(pg_config --pkglibdir)/pg_stat_statements.so" ] && preload="$preload,pg_stat_statements"
[ -f "$root$(pg_config --pkglibdir)/pg_cron.so" ] && preload="$preload,pg_cron"
listen="''"
if [ -n "${EXLINK_TCP:-}" ]; then
    listen="'127.0.0.1'"
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(( 20000 + RANDOM % 20000 )); done
fi
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = $listen
unix_socket_directories = '$dir'
port = $port
shared_preload_libraries = '$preload'
cron.database_name = 'postgres'
fsync = off
synchronous_commit = off
full_page_writes = off
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 256MB
lc_messages = 'C'
log_min_messages = warning
CONF

server=()
export EXLINK_SERVER_WRAPPER=
if [ "${EXLINK_SANITIZE:-0}" = 1 ]; then
    EXLINK_SERVER_WRAPPER=$("$top/tools/sanitizer-server.sh" "$dir" "$bindir/postgres")
    server=(-p "$EXLINK_SERVER_WRAPPER")
fi
if ! "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" "${server[@]}" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2
    exit 1
fi

export PGHOST="$dir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres EXLINK_PGDATA="$dir/data"
export EXLINK_SERVER_LOG="$dir/server.log"
[ -n "${EXLINK_TCP:-}" ] && export EXLINK_TCP_HOST=127.0.0.1
status=0
"$@" || status=$?
if [ $status -ne 0 ] && [ -s "$dir/server.log" ]; then
    echo "---- last lines of the server log ----" >&2
    tail -n 30 "$dir/server.log" >&2
fi
exit $status
