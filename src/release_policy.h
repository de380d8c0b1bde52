/* release_policy.h: the one decision whether a figure about a group may be released. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_RELEASE_POLICY_H
#define EXLINK_RELEASE_POLICY_H

#include "fmgr.h"

/*
 * What is known about a group when one of its figures is about to be released.  Fill it with
 * ReleaseFactsInit (which gives every optional fact its "unknown" value), then set what the
 * caller knows.  A new fact gets a field here, its "unknown" value in ReleaseFactsInit and its
 * rule in ReleaseRefusal: callers that do not know it need no change.
 */
typedef struct ReleaseFacts
{
	int64		members;		/* distinct members counted (exact up to MEMBERS_CAP); -1 =
								 * unknown (no member argument: the unguarded forms) */
	int32		k;				/* threshold the caller asks for (a k argument, a publication's
								 * k); 0 = none.  The server's exlink.min_group_size is applied
								 * on top by the policy, never by callers. */
	double		max_member_share;	/* largest share of the group's rows held by one member,
									 * in [0, 1]; NaN = unknown */
	int64		changed_members;	/* members whose rows changed since the last release
									 * (publication refresh); -1 = not applicable */
	double		share_limit;	/* dominance threshold the caller asks for (a publication's
								 * baked max_member_share); NaN = none.  The server's
								 * exlink.max_member_share applies on top (the stricter wins). */
} ReleaseFacts;

extern void ReleaseFactsInit(ReleaseFacts *facts, int64 members, int32 k);

/*
 * The decision: NULL when the figures may be released, else the reason they may not (a short
 * lower-case phrase such as "fewer than the minimum group size of distinct members").  Rules
 * apply only to the facts that are known.  Reads exlink.min_group_size: call it when the figure
 * is released (a final function, a plain function), never cache it across groups.
 */
extern const char *ReleaseRefusal(const ReleaseFacts *facts);

static inline bool
ReleaseAllowed(const ReleaseFacts *facts)
{
	return ReleaseRefusal(facts) == NULL;
}

/* The k a group must reach: max(k, exlink.min_group_size). */
extern int	ReleaseThreshold(int32 k);

/* The largest share one member may hold: min(limit, exlink.max_member_share); NaN limit = none. */
extern double ReleaseShareLimit(double limit);

/* exlink.release_status(members, k [, max_member_share [, changed_members [, share_limit]]]): the SQL form. */
extern Datum exlink_release_status(PG_FUNCTION_ARGS);

#endif
