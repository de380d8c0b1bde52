/* refresh_guard.h: routing of plain REFRESH MATERIALIZED VIEW of publications through exlink.refresh. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_REFRESH_GUARD_H
#define EXLINK_REFRESH_GUARD_H

/* Installs the REFRESH routing (refresh_guard.c); called once by _PG_init. */
extern void ExlinkRefreshGuardInit(void);

#endif
