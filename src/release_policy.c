/* release_policy.c: the release decision, shared by every final function, publish, refresh and results. */
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
	facts->change_share = NAN;
	facts->share_limit = NAN;
	facts->variables = 0;
	facts->fourth_order = 0;
	facts->clusters = -1;
	facts->needs = RELEASE_NEEDS_MEMBERS | RELEASE_NEEDS_SHARE | RELEASE_NEEDS_CHANGE_SHARE;
}

void
ReleaseFactsOfValue(ReleaseFacts *facts, int64 members, int32 k)
{
	ReleaseFactsInit(facts, members, k);
	facts->needs = members < 0 ? 0 : RELEASE_NEEDS_MEMBERS;
}

/*
 * Counting argument (docs/security.md): with one row per member, G members and v variables are
 * G v unknowns; the cell publishes v means, v(v + 1)/2 co-moments and F fourth-order figures.
 * Once the published numbers reach the unknowns, a least-squares solve generically recovers the
 * rows (the attack of test/sql/security_results.sql), so G v must be at least twice as many:
 * G >= 2 (v + v(v + 1)/2 + F) / v, rounded up.
 */
int64
ReleaseInferenceMembers(int32 variables, int32 fourth_order)
{
	int64		v = Max(variables, 1);
	int64		published = v + v * (v + 1) / 2 + (int64) Max(fourth_order, 0);

	return (2 * published + v - 1) / v;
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
 * The rules, in order; the first that refuses gives the reason.  Each rule refuses when the fact
 * it reads is unknown and the figure needs it (fail-closed): an unknown fact never releases.
 */
const char *
ReleaseRefusal(const ReleaseFacts *facts)
{
	double		limit = ReleaseShareLimit(facts->share_limit);

	/* k-anonymity: at least max(k, exlink.min_group_size) distinct members. */
	if (facts->members < 0)
	{
		if (facts->needs & RELEASE_NEEDS_MEMBERS)
			return "distinct members not known";
	}
	else if (facts->members < ReleaseThreshold(facts->k))
		return "fewer than the minimum group size of distinct members";

	/*
	 * Dominance: no member holds more than min(share_limit, exlink.max_member_share) of the
	 * group's rows (the figure would be mostly that member's).  The share is an upper bound, so
	 * imprecision refuses, never releases.  A share of 1 never exceeds a limit of 1: disabled.
	 */
	if (isnan(facts->max_member_share))
	{
		if (facts->needs & RELEASE_NEEDS_SHARE)
			return "largest member's share of the rows not known";
	}
	else if (facts->max_member_share > limit)
		return "one member accounts for more than exlink.max_member_share of the rows";

	/*
	 * A released change (publication refresh): the difference between two releases of a group
	 * covers exactly the members whose rows changed, so it must cover at least k of them, none
	 * dominating the change's rows.
	 */
	if (facts->changed_members > 0)
	{
		if (facts->changed_members < ReleaseThreshold(facts->k))
			return "changed by fewer than the minimum group size of members since the last release";
		if (isnan(facts->change_share))
		{
			if (facts->needs & RELEASE_NEEDS_CHANGE_SHARE)
				return "largest member's share of the change not known";
		}
		else if (facts->change_share > limit)
			return "one member accounts for more than exlink.max_member_share of the change";
	}

	/* Fourth-order figures: enough members that the published numbers cannot fix their rows. */
	if (facts->fourth_order > 0)
	{
		if (facts->variables <= 0 || facts->members < 0)
			return "published variables not known";
		if (facts->members < ReleaseInferenceMembers(facts->variables, facts->fourth_order))
			return "too few members for the inference published with the cell";

		/*
		 * Clustered by a unit coarser than the member (a region row clustered by team): the
		 * variances are sums over clusters of each cluster's score, so the clusters are the
		 * units the counting argument counts, and each cluster's score is a figure of its own
		 * members.  Red team 0.3.0: a total row over two released and two hidden teams, 4
		 * clusters, gave other standard errors and df when one hidden employee was labelled with
		 * the other hidden team (every released cell unchanged): the split of fewer than k
		 * members reached the analyst.  So at least k clusters, and the bound over clusters.
		 */
		if (facts->clusters >= 0)
		{
			if (facts->clusters < ReleaseThreshold(facts->k))
				return "fewer than the minimum group size of clusters for clustered inference";
			if (facts->clusters < ReleaseInferenceMembers(facts->variables, facts->fourth_order))
				return "too few clusters for the inference published with the cell";
		}
	}
	return NULL;
}

/*
 * exlink.release_status(members bigint, k integer [, max_member_share float8 [, changed_members
 * bigint [, share_limit float8 [, change_share float8 [, variables integer [, fourth_order
 * integer]]]]]]): 'ok', or 'suppressed: <reason>'.  The 0.2.0 declaration's symbol (five
 * arguments; kept for 0.2.0's scripts until ALTER EXTENSION UPDATE); 0.3.0 declares
 * exlink_release_decision, which takes counts instead of shares.  NULL members or share = not known (refuses), NULL k = none, NULL changed members =
 * no change released, NULL change share = not known (refuses a change), NULL share_limit = the
 * setting, NULL fourth_order = none, NULL variables = not known (refuses fourth-order figures).
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
	/*
	 * The 0.2.0 declaration (five arguments) is called by 0.2.0's scripts between the library's
	 * installation and ALTER EXTENSION exlink UPDATE: they know no change share, and keep 0.2.0's
	 * rule for changes (k members) until the update.
	 */
	if (PG_NARGS() <= 5)
		facts.needs &= ~RELEASE_NEEDS_CHANGE_SHARE;
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
	{
		facts.change_share = PG_GETARG_FLOAT8(5);
		if (!(facts.change_share >= 0.0 && facts.change_share <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("change_share must be between 0 and 1")));
	}
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
	{
		facts.variables = PG_GETARG_INT32(6);
		if (facts.variables < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("variables must be at least 1")));
	}
	if (PG_NARGS() > 7 && !PG_ARGISNULL(7))
	{
		facts.fourth_order = PG_GETARG_INT32(7);
		if (facts.fourth_order < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fourth_order cannot be negative")));
	}
	why = ReleaseRefusal(&facts);
	if (why == NULL)
		PG_RETURN_TEXT_P(cstring_to_text("ok"));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("suppressed: %s", why)));
}

/*
 * The largest member's share of a group's rows from its rows and its largest member's rows (an
 * upper bound, e.g. a cell's Misra-Gries bound or a union's sum of largest members): NaN when
 * either is unknown or the group has no rows (refused).  A bound above the rows is still a bound:
 * the share is then 1.
 */
static double
ShareOfRows(FunctionCallInfo fcinfo, int rows_arg, int top_arg)
{
	int64		rows;
	int64		top;

	if (PG_ARGISNULL(rows_arg) || PG_ARGISNULL(top_arg))
		return NAN;
	rows = PG_GETARG_INT64(rows_arg);
	top = PG_GETARG_INT64(top_arg);
	if (rows < 0 || top < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rows cannot be negative")));
	if (rows == 0)
		return NAN;
	return top >= rows ? 1.0 : (double) top / (double) rows;
}

/*
 * exlink.release_status(members bigint, k integer, rows bigint, top_rows bigint, changed_members
 * bigint, share_limit float8, change_rows bigint, change_top_rows bigint, variables integer,
 * fourth_order integer [, clusters bigint]): the 0.3.0 declaration (clusters: those of a cell's
 * inference clustered by a unit coarser than members; NULL: by member).  SQL passes counts (a cell's rows and its largest
 * member's rows, a change's net rows and its largest member's), never a share or an effective k
 * it computed itself: the share and the threshold are this file's.  NULLs as in
 * exlink_release_status; a NULL of either count of a pair = share not known.
 */
PG_FUNCTION_INFO_V1(exlink_release_decision);
Datum
exlink_release_decision(PG_FUNCTION_ARGS)
{
	ReleaseFacts facts;
	const char *why;

	if (PG_NARGS() != 10 && PG_NARGS() != 11)
		elog(ERROR, "exlink_release_decision called with %d arguments", PG_NARGS());
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
	facts.max_member_share = ShareOfRows(fcinfo, 2, 3);
	if (!PG_ARGISNULL(4))
	{
		facts.changed_members = PG_GETARG_INT64(4);
		if (facts.changed_members < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("changed_members cannot be negative")));
	}
	if (!PG_ARGISNULL(5))
	{
		facts.share_limit = PG_GETARG_FLOAT8(5);
		if (!(facts.share_limit > 0.0 && facts.share_limit <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("share_limit must be greater than 0 and at most 1")));
	}
	facts.change_share = ShareOfRows(fcinfo, 6, 7);
	if (!PG_ARGISNULL(8))
	{
		facts.variables = PG_GETARG_INT32(8);
		if (facts.variables < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("variables must be at least 1")));
	}
	if (!PG_ARGISNULL(9))
	{
		facts.fourth_order = PG_GETARG_INT32(9);
		if (facts.fourth_order < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fourth_order cannot be negative")));
	}

	/*
	 * clusters: the question is the clustered inference of a cell (exlink.withhold_clustered),
	 * whose own figures are decided by the cell's own call (members, share): here the share is
	 * that call's, not needed again.  The rule needs fourth_order and variables.
	 */
	if (PG_NARGS() > 10 && !PG_ARGISNULL(10))
	{
		facts.clusters = PG_GETARG_INT64(10);
		if (facts.clusters < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clusters cannot be negative")));
		facts.needs &= ~RELEASE_NEEDS_SHARE;
		if (facts.fourth_order <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clusters needs fourth_order"),
					 errdetail("The clusters are those of a cell's clustered inference, a fourth-order figure.")));
	}
	why = ReleaseRefusal(&facts);
	if (why == NULL)
		PG_RETURN_TEXT_P(cstring_to_text("ok"));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("suppressed: %s", why)));
}

/*
 * exlink.effective_min_group_size(k integer): max(k, exlink.min_group_size), the threshold the
 * release decision applies (NULL k = the setting).  For SQL that must store or show the k in
 * force (a publication bakes it), so that it never combines k with the setting itself.
 */
PG_FUNCTION_INFO_V1(exlink_effective_min_group_size);
Datum
exlink_effective_min_group_size(PG_FUNCTION_ARGS)
{
	int32		k = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT32(0);

	if (k < 0 || k > EXLINK_MAX_GROUP_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 0 and %d", EXLINK_MAX_GROUP_SIZE)));
	PG_RETURN_INT32(ReleaseThreshold(k));
}
