/* release_policy.c: the release decision (the k rule), shared by every final function and publish. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "exlink.h"
#include "release_policy.h"

void
ReleaseFactsInit(ReleaseFacts *facts, int64 members, int32 k)
{
	facts->members = members;
	facts->k = k;
	facts->max_member_share = NAN;
	facts->changed_members = -1;
	facts->share_limit = NAN;
}

int
ReleaseThreshold(int32 k)
{
	/* A k argument can only raise the server's threshold, never lower it. */
	return Max(ExlinkMinGroupSize(), k);
}

double
ReleaseShareLimit(double limit)
{
	/* A baked limit can only tighten the server's, never loosen it. */
	double		setting = ExlinkMaxMemberShare();

	if (isnan(limit))
		return setting;
	return Min(setting, limit);
}

/*
 * The rules, in order; the first that refuses gives the reason.  To add a rule: a fact in
 * ReleaseFacts (with its unknown value in ReleaseFactsInit), a test below that refuses only
 * when the fact is known, and its reason; exlink.release_status passes it from SQL.
 */
const char *
ReleaseRefusal(const ReleaseFacts *facts)
{
	/* k-anonymity: members known and fewer than max(k, exlink.min_group_size). */
	if (facts->members >= 0 && facts->members < ReleaseThreshold(facts->k))
		return "fewer than the minimum group size of distinct members";

	/*
	 * Dominance: one member holds more than exlink.max_member_share of the group's rows (the
	 * figure is mostly that member's).  A share of 1 never exceeds a limit of 1: disabled.
	 */
	if (!isnan(facts->max_member_share) &&
		facts->max_member_share > ReleaseShareLimit(facts->share_limit))
		return "one member accounts for more than exlink.max_member_share of the rows";

	/*
	 * Change since the last release (publication refresh): the difference between two releases
	 * of a group covers exactly the members whose rows changed, so it must cover none or at
	 * least k of them.
	 */
	if (facts->changed_members > 0 && facts->changed_members < ReleaseThreshold(facts->k))
		return "changed by fewer than the minimum group size of members since the last release";
	return NULL;
}

/*
 * exlink.release_status(members bigint, k integer [, max_member_share float8 [, changed_members
 * bigint [, share_limit float8]]]): 'ok', or 'suppressed: <reason>'.  NULL members = unknown,
 * NULL k = none, NULL share or changed members = not known, NULL share_limit = the setting.  Used by publish for every cell, so that a publication
 * releases exactly what the aggregates would.
 */
PG_FUNCTION_INFO_V1(exlink_release_status);
Datum
exlink_release_status(PG_FUNCTION_ARGS)
{
	ReleaseFacts facts;
	const char *why;

	ReleaseFactsInit(&facts,
					 PG_ARGISNULL(0) ? -1 : PG_GETARG_INT64(0),
					 PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1));
	if (facts.members < -1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("members cannot be negative")));
	if (facts.k < 0 || facts.k > EXLINK_MAX_GROUP_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 0 and %d", EXLINK_MAX_GROUP_SIZE)));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
	{
		facts.max_member_share = PG_GETARG_FLOAT8(2);
		if (!(facts.max_member_share >= 0.0 && facts.max_member_share <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_member_share must be between 0 and 1")));
	}
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		facts.changed_members = PG_GETARG_INT64(3);
		if (facts.changed_members < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("changed_members cannot be negative")));
	}
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
	{
		facts.share_limit = PG_GETARG_FLOAT8(4);
		if (!(facts.share_limit > 0.0 && facts.share_limit <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("share_limit must be greater than 0 and at most 1")));
	}
	why = ReleaseRefusal(&facts);
	if (why == NULL)
		PG_RETURN_TEXT_P(cstring_to_text("ok"));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("suppressed: %s", why)));
}
