/* guard.h: the guard's module-level hooks. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_GUARD_H
#define EXLINK_GUARD_H

/* Installs the EXPLAIN guard for live publications (explain_guard.c); called once by _PG_init. */
extern void ExlinkExplainGuardInit(void);

#endif
