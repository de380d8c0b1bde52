#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Make a wrapper that starts the PostgreSQL server with the AddressSanitizer runtime preloaded,
# for an exlink built with -fsanitize=address,undefined (make sanitize); print its path, for
# `pg_ctl -p`. Only the server gets the runtime: initdb, pg_ctl and the clients run as usual.
#   usage: tools/sanitizer-server.sh DIR POSTGRES   (DIR: the throwaway cluster's directory)
#
# Why a preload library of our own: on Debian 12, LD_PRELOAD=libasan.so alone hangs the server
# at start. Preloaded libraries are initialised last, so ASan initialises lazily, on the first
# malloc, and that malloc comes from bindtextdomain() in libgpg-error's constructor, with
# glibc's _nl_state_lock held; ASan's initialisation calls dlerror() -> dcgettext(), which
# takes and releases the same lock, leaving it broken, and the server's own bindtextdomain()
# waits forever. exlink_asan_first.so interposes bindtextdomain() and initialises ASan before
# the lock is taken. (Loading ASan late instead, with verify_asan_link_order=0, gives false
# stack-buffer-overflow reports after every ereport(ERROR): its longjmp is not seen.)
set -euo pipefail
dir=$1 postgres=$2
libasan=$(gcc -print-file-name=libasan.so)
libasan=$(readlink -f "$libasan")
[ -f "$libasan" ] || { echo "sanitizer-server: libasan.so not found (gcc -print-file-name)" >&2; exit 1; }
cat >"$dir/exlink_asan_first.c" <<'C'
/* Initialise AddressSanitizer before glibc's gettext takes its locale lock (see sanitizer-server.sh). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

extern void __asan_init(void);
extern char *bindtextdomain(const char *domainname, const char *dirname);

char *
bindtextdomain(const char *domainname, const char *dirname)
{
	static char *(*real) (const char *, const char *) = NULL;

	__asan_init();
	if (real == NULL)
		real = (char *(*) (const char *, const char *)) dlsym(RTLD_NEXT, "bindtextdomain");
	return real(domainname, dirname);
}
C
gcc -shared -fPIC -O1 -o "$dir/exlink_asan_first.so" "$dir/exlink_asan_first.c" "$libasan" -ldl
# abort_on_error: a report kills the backend with SIGABRT, so the postmaster logs a crash too
# (ASan's default exit code 1 would pass for an ordinary FATAL). No leak check: the server
# leaves its memory to the OS at exit by design.
cat >"$dir/postgres-asan" <<SH
#!/bin/sh
export LD_PRELOAD="$libasan $dir/exlink_asan_first.so"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:print_stacktrace=1:detect_odr_violation=0\${ASAN_OPTIONS:+:\$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0\${UBSAN_OPTIONS:+:\$UBSAN_OPTIONS}"
exec "$postgres" "\$@"
SH
chmod 755 "$dir/postgres-asan" "$dir/exlink_asan_first.so"
echo "$dir/postgres-asan"
