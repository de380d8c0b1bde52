/* exlink.h: module-wide settings shared by the C files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_H
#define EXLINK_H

/*
 * The confidentiality threshold k: the fewest distinct members (employees) a released figure
 * may cover.  Read only through ExlinkMinGroupSize(), which refuses to run before the library
 * defined the variable (so a placeholder value can never be read as the threshold).
 */
#define EXLINK_DEFAULT_GROUP_SIZE	5
#define EXLINK_MIN_GROUP_SIZE		2
#define EXLINK_MAX_GROUP_SIZE		1000	/* = MEMBERS_CAP in members.h */

extern int	ExlinkMinGroupSize(void);

/*
 * The dominance threshold: the largest share of a group's rows (responses) one member may hold
 * for the group to be released.  Read only through ExlinkMaxMemberShare(); 1.0 disables the rule.
 */
#define EXLINK_DEFAULT_MAX_MEMBER_SHARE	0.5
#define EXLINK_MIN_MAX_MEMBER_SHARE		0.05

extern double ExlinkMaxMemberShare(void);

/* exlink.cluster_summary: may sealed exlink.moments values carry the cluster summary? */
extern bool ExlinkClusterSummary(void);

#endif
