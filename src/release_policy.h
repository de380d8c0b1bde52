/* release_policy.h: the one decision whether a figure about a group may be released. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_RELEASE_POLICY_H
#define EXLINK_RELEASE_POLICY_H

#include "fmgr.h"

/*
 * What is known about a group when one of its figures is about to be released.  Facts come from
 * the figure's state (or, for publications, from the per-member rows of the refresh), never from
 * a caller's own reading of a setting.  Fill it with ReleaseFactsInit, which gives every fact its
 * "unknown" value and marks members and the share as NEEDED: a needed fact left unknown refuses
 * the figure (fail-closed).  A new fact gets a field here, its unknown value in
 * ReleaseFactsInit and its rule in ReleaseRefusal, where unknown refuses whenever the rule
 * applies.
 */
typedef struct ReleaseFacts
{
	int64		members;		/* distinct members counted (exact up to MEMBERS_CAP, or a value's
								 * lower bound); -1 = unknown */
	int32		k;				/* threshold the caller asks for (a k argument, a publication's
								 * k); 0 = none.  The server's exlink.min_group_size is applied
								 * on top by the policy, never by callers. */
	double		max_member_share;	/* UPPER bound on the largest share of the group's rows
									 * held by one member, in [0, 1]; NaN = unknown */
	int64		changed_members;	/* members whose rows changed since the last release
									 * (publication refresh); -1 = no change is released */
	double		change_share;	/* UPPER bound on the largest share of the change's rows held by
								 * one member (with changed_members > 0); NaN = unknown */
	double		share_limit;	/* dominance threshold the caller asks for (a publication's
								 * baked max_member_share); NaN = none.  The server's
								 * exlink.max_member_share applies on top (the stricter wins). */
	int32		variables;		/* variables whose means and co-moments are published about the
								 * group, with fourth_order > 0; 0 = unknown */
	int32		fourth_order;	/* fourth-order figures (clustered variances: one per standard
								 * error) published about the group; 0 = none */
	int64		clusters;		/* the units of clustered inference coarser than members (the
								 * teams of a region row clustered by team); -1 = by member */
	uint32		needs;			/* RELEASE_NEEDS_*: facts the figure cannot be released without */
} ReleaseFacts;

#define RELEASE_NEEDS_MEMBERS	0x01	/* a guarded figure: its distinct members */
#define RELEASE_NEEDS_SHARE		0x02	/* a figure of rows: its largest member's share */
#define RELEASE_NEEDS_CHANGE_SHARE 0x04	/* a released change: its largest member's share */

/* Unknown facts; all needed (a guarded figure computed from rows, a change if one is released). */
extern void ReleaseFactsInit(ReleaseFacts *facts, int64 members, int32 k);

/*
 * The facts of an exlink.moments value (a published cell or a merge of cells): members is its
 * lower bound.  The share is not needed: a value leaves a guarded aggregate only when its share
 * passed this policy, and a merge of cells each within a limit s is within s (the largest
 * member has at most s n_c rows in every cell c, so at most s sum n_c in the union).  A value
 * with members -1 is unguarded (exlink.moments without a member: computed from rows its
 * holder reads) and, as the unguarded aggregates, needs nothing.
 */
extern void ReleaseFactsOfValue(ReleaseFacts *facts, int64 members, int32 k);

/*
 * The decision: NULL when the figures may be released, else the reason they may not (a short
 * lower-case phrase such as "fewer than the minimum group size of distinct members").  Reads
 * exlink.min_group_size and exlink.max_member_share: call it when the figure is released (a
 * final function, a plain function), never cache it across groups.
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

/*
 * The smallest number of members with which fourth-order figures (clustered variances) may be
 * published beside the means and co-moments of `variables` variables (docs/security.md,
 * "Withheld inference"): the members' values must stay at least twice as many unknowns as the
 * published numbers.
 */
extern int64 ReleaseInferenceMembers(int32 variables, int32 fourth_order);

/* exlink.release_status(members, k [, max_member_share [, changed_members [, share_limit [, ...]]]]): the SQL form. */
extern Datum exlink_release_status(PG_FUNCTION_ARGS);

/* exlink.release_status(members, k, rows, top_rows, ...): the 0.3.0 SQL form, from counts. */
extern Datum exlink_release_decision(PG_FUNCTION_ARGS);

/* exlink.effective_min_group_size(k): ReleaseThreshold for SQL that stores the k in force. */
extern Datum exlink_effective_min_group_size(PG_FUNCTION_ARGS);

#endif
