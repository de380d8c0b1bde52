/* compat.h: the only place for PostgreSQL version shims. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_COMPAT_H
#define EXLINK_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "exlink requires PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM < 160000
#define ExlinkDebugParallelGuc "force_parallel_mode"
#else
#define ExlinkDebugParallelGuc "debug_parallel_query"
#endif

#include "utils/float.h"

/* float8in_internal gained an escontext argument in PostgreSQL 16. */
static inline double
ExlinkFloat8In(char *num, char **endptr, const char *orig)
{
#if PG_VERSION_NUM < 160000
	return float8in_internal(num, endptr, "exlink.moments", orig);
#else
	return float8in_internal(num, endptr, "exlink.moments", orig, NULL);
#endif
}

#endif
