/* guard.c: guard primitives: members_at_least, guarded_avg, guarded_count and nps. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "exlink.h"
#include "members.h"
#include "moments.h"
#include "release_policy.h"

/*
 * exlink.members_at_least(member text, k int): true when the group may be released: at least
 * max(k, exlink.min_group_size) distinct non-NULL, non-empty members, none holding more than
 * exlink.max_member_share of the rows.  The state is a MemberSet capped at that k: once full,
 * the hashes are dropped, so a HAVING clause over a large group costs O(k) memory; every row
 * still feeds the set's fixed-size bound on the largest member (the dominance fact).
 *
 * Contract: the state and its hash table live in the aggregate context.  k must be the same on
 * every row of a group (a per-row k would make the cap, hence the answer, order-dependent).
 */
typedef struct AtLeastState
{
	MemberSet	set;
	int32		k_arg;			/* the k argument of the group's rows (0 = NULL) */
} AtLeastState;

#define ATLEAST_STATE_VERSION 2

static AtLeastState *
atleast_create(MemoryContext cxt, int k)
{
	AtLeastState *s = MemoryContextAllocZero(cxt, sizeof(AtLeastState));

	MemberSetInit(&s->set, k);
	return s;
}

PG_FUNCTION_INFO_V1(exlink_members_at_least_transfn);
Datum
exlink_members_at_least_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_members_at_least_transfn");
	AtLeastState *s = PG_ARGISNULL(0) ? NULL : (AtLeastState *) PG_GETARG_POINTER(0);

	int32		k_arg = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2);

	if (s == NULL)
	{
		s = atleast_create(aggcxt, ExlinkEffectiveK(fcinfo, 2));
		s->k_arg = k_arg;
	}
	/* Every row is read (the dominance bound): compare the raw k first, cheaply. */
	else if (k_arg != s->k_arg && ExlinkEffectiveK(fcinfo, 2) != s->set.cap)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be the same on every row of a group")));
	(void) ExlinkMemberRow(fcinfo, 1, &s->set, aggcxt);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(exlink_members_at_least_combinefn);
Datum
exlink_members_at_least_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_members_at_least_combinefn");
	AtLeastState *a = PG_ARGISNULL(0) ? NULL : (AtLeastState *) PG_GETARG_POINTER(0);
	AtLeastState *b = PG_ARGISNULL(1) ? NULL : (AtLeastState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = atleast_create(aggcxt, b->set.cap);
	if (a->set.cap != b->set.cap)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be the same on every row of a group")));
	MemberSetMerge(&a->set, &b->set, aggcxt);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(exlink_members_at_least_serialfn);
Datum
exlink_members_at_least_serialfn(PG_FUNCTION_ARGS)
{
	AtLeastState *s;
	StringInfoData buf;

	(void) ExlinkAggContext(fcinfo, "exlink_members_at_least_serialfn");
	s = (AtLeastState *) PG_GETARG_POINTER(0);
	ExlinkStateSendBegin(&buf, ATLEAST_STATE_VERSION);
	MemberSetSerialize(&buf, &s->set);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(exlink_members_at_least_deserialfn);
Datum
exlink_members_at_least_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_members_at_least_deserialfn");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	AtLeastState *s = MemoryContextAllocZero(aggcxt, sizeof(AtLeastState));
	StringInfoData buf;

	ExlinkStateRecvBegin(b, &buf, ATLEAST_STATE_VERSION, "members_at_least");
	MemberSetDeserialize(&buf, &s->set, aggcxt);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(exlink_members_at_least_finalfn);
Datum
exlink_members_at_least_finalfn(PG_FUNCTION_ARGS)
{
	AtLeastState *s = ExlinkFinalState(fcinfo, "exlink_members_at_least_finalfn");

	if (s == NULL)
		PG_RETURN_BOOL(false);

	/*
	 * The cap was max(k, setting) when the group started; the setting may only have been
	 * raised since by a superuser, so check against today's value too.
	 */
	{
		ReleaseFacts facts;

		ReleaseFactsInit(&facts, s->set.count, s->set.cap);
		facts.max_member_share = MemberSetShareBound(&s->set);
		PG_RETURN_BOOL(ReleaseAllowed(&facts));
	}
}

/*
 * guarded_avg, guarded_count and nps share one state: a one-variable Moments with a member
 * set (so they reuse exlink.moments_combinefn/serialfn/deserialfn).  Every row with a
 * non-NULL, non-empty member and a usable value adds one observation: the value itself
 * (guarded_avg), 0 (guarded_count, which only needs n) or the NPS contribution +100, 0, -100
 * (nps, whose mean is then the score in points).  Rows without a member or value are skipped
 * and counted.  The final functions release nothing the release policy refuses (k, and the
 * member set's bound on the largest member's share).
 */
static Moments *
guarded_state(FunctionCallInfo fcinfo, int kargno)
{
	Moments    *m = MomentsTransState(fcinfo, 1, true);

	/*
	 * The optional k travels in the state: FINALFUNC_EXTRA final functions only see NULLs in
	 * place of the aggregate's arguments.
	 */
	if (kargno < PG_NARGS() && !PG_ARGISNULL(kargno))
		m->k = Max(m->k, ExlinkKArg(fcinfo, kargno));
	return m;
}

static Datum
guarded_accumulate(FunctionCallInfo fcinfo, bool have, double x)
{
	Moments    *m = guarded_state(fcinfo, 3);

	if (!have || !ExlinkMemberRow(fcinfo, 2, &m->members, m->cxt))
	{
		m->skipped++;
		PG_RETURN_POINTER(m);
	}
	MomentsAccumulate(m, &x);
	PG_RETURN_POINTER(m);
}

/* exlink.guarded_avg(value float8, member text [, k int]) */
PG_FUNCTION_INFO_V1(exlink_guarded_avg_transfn);
Datum
exlink_guarded_avg_transfn(PG_FUNCTION_ARGS)
{
	double		x = PG_ARGISNULL(1) ? 0 : PG_GETARG_FLOAT8(1);

	return guarded_accumulate(fcinfo, !PG_ARGISNULL(1) && isfinite(x), x);
}

/* exlink.guarded_count(member text [, k int]): the member is argument 1 here, not 2. */
PG_FUNCTION_INFO_V1(exlink_guarded_count_transfn);
Datum
exlink_guarded_count_transfn(PG_FUNCTION_ARGS)
{
	Moments    *m = guarded_state(fcinfo, 2);
	double		zero = 0;

	if (!ExlinkMemberRow(fcinfo, 1, &m->members, m->cxt))
	{
		m->skipped++;
		PG_RETURN_POINTER(m);
	}
	MomentsAccumulate(m, &zero);
	PG_RETURN_POINTER(m);
}

/*
 * exlink.nps(score numeric-ish float8, member text [, k int]): scores are the 0..10 integers
 * of the NPS (or eNPS) question.  NULL, NaN and +-Infinity are missing data (skipped, as
 * everywhere in exlink); any other value outside the scale is misuse (a 1..5 item passed by
 * mistake would silently give a wrong score), so it raises 22003.
 */
PG_FUNCTION_INFO_V1(exlink_nps_transfn);
Datum
exlink_nps_transfn(PG_FUNCTION_ARGS)
{
	double		s;
	double		x;

	if (PG_ARGISNULL(1))
		return guarded_accumulate(fcinfo, false, 0);
	s = PG_GETARG_FLOAT8(1);
	if (!isfinite(s))
		return guarded_accumulate(fcinfo, false, 0);
	if (s < 0 || s > 10 || s != floor(s))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps scores must be whole numbers from 0 to 10"),
				 errhint("Map other scales to 0..10 first, or filter the rows.")));
	x = s >= 9 ? 100.0 : (s <= 6 ? -100.0 : 0.0);
	return guarded_accumulate(fcinfo, true, x);
}

/* The state to release, or NULL when suppressed or empty: k = max(baked k, setting now). */
static Moments *
guarded_final(FunctionCallInfo fcinfo)
{
	Moments    *m = ExlinkFinalState(fcinfo, "exlink guarded final function");
	ReleaseFacts facts;

	if (m == NULL)
		return NULL;
	if (m->n == 0 || !m->track_members)
		return NULL;
	MomentsReleaseFacts(m, &facts);
	if (!ReleaseAllowed(&facts))
		return NULL;
	return m;
}

/* guarded_avg and nps: the mean (of the values, or of the +-100 contributions). */
PG_FUNCTION_INFO_V1(exlink_guarded_avg_finalfn);
Datum
exlink_guarded_avg_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = guarded_final(fcinfo);

	/* Values near the float8 limits can overflow the running mean: no figure, not NaN. */
	if (m == NULL || !isfinite(m->mean[0]))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(m->mean[0]);
}

/* guarded_count: rows, not members (members are counted only to prove k). */
PG_FUNCTION_INFO_V1(exlink_guarded_count_finalfn);
Datum
exlink_guarded_count_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = guarded_final(fcinfo);

	if (m == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INT64(m->n);
}
