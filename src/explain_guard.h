/* explain_guard.h: the EXPLAIN guard for live publications (explain_guard.c). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_EXPLAIN_GUARD_H
#define EXLINK_EXPLAIN_GUARD_H

/* Installs the EXPLAIN guard for live publications; called once by _PG_init. */
extern void ExlinkExplainGuardInit(void);

#endif
