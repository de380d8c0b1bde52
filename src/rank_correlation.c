/* rank_correlation.c: Spearman rank correlation (exlink.rank_correlation), guarded, mergeable. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "correlation.h"
#include "exlink.h"
#include "members.h"
#include "moments.h"
#include "release_policy.h"

#define RANK_STATE_VERSION 4
#define RANK_INITIAL_CAPACITY 64

typedef struct RankPair
{
	double		x;
	double		y;
	uint64		member;			/* the member's hash (0 without members) */
	uint64		cluster;		/* the member's coarser cluster's hash (0 without a cluster argument) */
} RankPair;

/*
 * The state (STYPE internal) holds every complete pair: ranks need all values.  Contract: the
 * RankState, its pair array and its member set live in the aggregate context `cxt`; the array
 * grows by doubling with huge allocations (32 bytes per row, up to twice that while growing),
 * so a serial plan is bounded by memory, not by MaxAllocSize.  A serialized partial state is
 * a bytea and must fit in MaxAllocSize (about 44 million rows per worker): beyond, 54000.
 *
 * The final function ranks in place (sort by x, replace by average ranks, then by y); ranking
 * ranks gives the same ranks, so a second final call on the same state (shared by compatible
 * final functions: FINALFUNC_MODIFY = SHAREABLE) gives the same figures.  With members, each
 * pair keeps its member's hash: the ranks are then accumulated per member for cluster-robust
 * inference (Pearson's CR1 on the ranks), since rows of one employee are not independent.
 */
typedef struct RankState
{
	MemoryContext cxt;
	int64		n;				/* complete pairs */
	int64		capacity;		/* pairs allocated */
	int64		skipped;
	int32		k;				/* k argument, 0 = none */
	double		level;			/* level argument, 0 = none */
	int			inference;		/* MOMENTS_INFERENCE_*, as the rows asked */
	bool		track_members;
	bool		has_cluster;	/* pairs carry a coarser cluster (the cluster argument) */
	MemberSet	members;
	RankPair   *pairs;
} RankState;

static RankState *
rank_create(MemoryContext cxt, bool track_members)
{
	RankState  *s = MemoryContextAllocZero(cxt, sizeof(RankState));

	s->cxt = cxt;
	s->track_members = track_members;
	MemberSetInit(&s->members, MEMBERS_CAP);
	return s;
}

static void
rank_reserve(RankState *s, int64 need)
{
	int64		cap;
	Size		bytes;

	if (need <= s->capacity)
		return;
	cap = Max(s->capacity, RANK_INITIAL_CAPACITY);
	while (cap < need)
		cap *= 2;
	if ((Size) cap > MaxAllocHugeSize / sizeof(RankPair))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for exlink.rank_correlation")));
	bytes = (Size) cap * sizeof(RankPair);
	if (s->pairs == NULL)
		s->pairs = MemoryContextAllocHuge(s->cxt, bytes);
	else
		s->pairs = repalloc_huge(s->pairs, bytes);
	s->capacity = cap;
}

static void
rank_set_level(RankState *s, double level)
{
	ExlinkSetLevel(&s->level, level);
}

/* The inference argument must be the same on every row (as for linked_correlation). */
static void
rank_set_inference(RankState *s, int inference)
{
	if (inference == MOMENTS_INFERENCE_UNSET)
		return;
	if (s->inference != MOMENTS_INFERENCE_UNSET && s->inference != inference)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("inference must be the same for every row of a group")));
	s->inference = inference;
}

PG_FUNCTION_INFO_V1(exlink_rank_correlation_transfn);
Datum
exlink_rank_correlation_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RankState  *s = ExlinkAggState(fcinfo, "exlink_rank_correlation_transfn", &aggcxt);
	double		x,
				y;
	uint64		key = 0,
				cluster = 0;

	if (s == NULL)
		s = rank_create(aggcxt, ExlinkAggGuarded(fcinfo, 3));

	if (PG_NARGS() >= 5)
		rank_set_level(s, ExlinkLevelArg(fcinfo, 4));
	if (PG_NARGS() >= 6)
		rank_set_inference(s, ExlinkInferenceArg(fcinfo, 5));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	x = PG_GETARG_FLOAT8(1);
	y = PG_GETARG_FLOAT8(2);
	if (!isfinite(x) || !isfinite(y))
		goto skip;
	if (s->track_members)
	{
		/*
		 * The cluster argument (7 arguments), as linked_correlation's: read only for clustered
		 * inference; a row with a NULL or empty cluster is skipped.  Read before the member is
		 * counted: a skipped row's member must not count towards k or the share bound (members
		 * of rows with a NULL cluster were counted, and decoys made a one-member rho released).
		 * Nesting of members in clusters is checked when the final function groups the ranks.
		 */
		if (PG_NARGS() >= 7 && s->inference != MOMENTS_INFERENCE_INDEPENDENT)
		{
			if (s->n > 0 && !s->has_cluster)
				elog(ERROR, "exlink rank state changed its cluster form");
			s->has_cluster = true;
			if (!ExlinkMemberKey(fcinfo, 6, &cluster))
				goto skip;
		}
		/* every row kept: the share bound; the key is kept per pair (clustered jackknife) */
		if (!ExlinkMemberRowKey(fcinfo, 3, &s->members, aggcxt, &key))
			goto skip;
	}
	if (s->n == s->capacity)
		rank_reserve(s, s->n + 1);
	s->pairs[s->n].x = x;
	s->pairs[s->n].y = y;
	s->pairs[s->n].member = s->track_members ? key : 0;
	s->pairs[s->n].cluster = cluster;
	s->n++;
	PG_RETURN_POINTER(s);

skip:
	s->skipped++;
	PG_RETURN_POINTER(s);
}

static void
rank_combine(RankState *dst, const RankState *src)
{
	if (dst->track_members != src->track_members)
		elog(ERROR, "cannot combine exlink rank states with and without members");
	if (dst->has_cluster != src->has_cluster && dst->n > 0 && src->n > 0)
		elog(ERROR, "cannot combine exlink rank states with and without clusters");
	dst->has_cluster = dst->has_cluster || src->has_cluster;
	dst->skipped += src->skipped;
	dst->k = Max(dst->k, src->k);
	if (src->level != 0.0)
		rank_set_level(dst, src->level);
	rank_set_inference(dst, src->inference);
	if (dst->track_members)
		MemberSetMerge(&dst->members, &src->members, dst->cxt);
	if (src->n > 0)
	{
		rank_reserve(dst, dst->n + src->n);
		memcpy(dst->pairs + dst->n, src->pairs, (Size) src->n * sizeof(RankPair));
		dst->n += src->n;
	}
}

PG_FUNCTION_INFO_V1(exlink_rank_correlation_combinefn);
Datum
exlink_rank_correlation_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RankState  *a = PG_ARGISNULL(0) ? NULL : (RankState *) PG_GETARG_POINTER(0);
	RankState  *b = PG_ARGISNULL(1) ? NULL : (RankState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "exlink_rank_correlation_combinefn called in non-aggregate context");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = rank_create(aggcxt, b->track_members);	/* copy: b may be shorter-lived */
	rank_combine(a, b);
	PG_RETURN_POINTER(a);
}

/*
 * Wire format: version, counts, k, level, inference, the member and cluster flags, members,
 * then n (x, y, member[, cluster]) tuples; never a struct memcpy.
 */
PG_FUNCTION_INFO_V1(exlink_rank_correlation_serialfn);
Datum
exlink_rank_correlation_serialfn(PG_FUNCTION_ARGS)
{
	RankState  *s;
	StringInfoData buf;
	Size		header = 64 + 8 * (Size) MEMBERS_CAP + 8;
	Size		per_row;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "exlink_rank_correlation_serialfn called in non-aggregate context");
	s = (RankState *) PG_GETARG_POINTER(0);
	per_row = (s->has_cluster ? 4 : 3) * sizeof(double);
	if ((Size) s->n > (MaxAllocSize - header) / per_row)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows in one parallel worker for exlink.rank_correlation"),
				 errdetail("A partial state of " INT64_FORMAT " rows exceeds the 1 GB limit of a serialized state.", s->n),
				 errhint("Run it without parallel query (SET max_parallel_workers_per_gather = 0).")));
	ExlinkStateSendBegin(&buf, RANK_STATE_VERSION);
	enlargeStringInfo(&buf, (int) (header + (Size) s->n * per_row));
	pq_sendint64(&buf, s->n);
	pq_sendint64(&buf, s->skipped);
	pq_sendint32(&buf, s->k);
	pq_sendfloat8(&buf, s->level);
	pq_sendbyte(&buf, (uint8) s->inference);
	pq_sendbyte(&buf, s->track_members ? 1 : 0);
	pq_sendbyte(&buf, s->has_cluster ? 1 : 0);
	if (s->track_members)
		MemberSetSerialize(&buf, &s->members);
	for (int64 i = 0; i < s->n; i++)
	{
		pq_sendfloat8(&buf, s->pairs[i].x);
		pq_sendfloat8(&buf, s->pairs[i].y);
		pq_sendint64(&buf, (int64) s->pairs[i].member);
		if (s->has_cluster)
			pq_sendint64(&buf, (int64) s->pairs[i].cluster);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(exlink_rank_correlation_deserialfn);
Datum
exlink_rank_correlation_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	RankState  *s;
	int64		n;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "exlink_rank_correlation_deserialfn called in non-aggregate context");
	ExlinkStateRecvBegin(b, &buf, RANK_STATE_VERSION, "rank");
	s = rank_create(aggcxt, false);
	n = pq_getmsgint64(&buf);
	s->skipped = pq_getmsgint64(&buf);
	s->k = pq_getmsgint(&buf, 4);
	s->level = pq_getmsgfloat8(&buf);
	s->inference = pq_getmsgbyte(&buf);
	s->track_members = pq_getmsgbyte(&buf) != 0;
	s->has_cluster = pq_getmsgbyte(&buf) != 0;
	if (s->track_members)
		MemberSetDeserialize(&buf, &s->members, aggcxt);
	if (n < 0 || (Size) n > (Size) (buf.len - buf.cursor) / ((s->has_cluster ? 4 : 3) * sizeof(double)) ||
		s->skipped < 0 || (s->has_cluster && !s->track_members) ||
		s->k < 0 || s->k > EXLINK_MAX_GROUP_SIZE || s->inference > MOMENTS_INFERENCE_TWOWAY ||
		!(s->level == 0.0 || (s->level > 0.0 && s->level < 1.0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid exlink rank state")));
	rank_reserve(s, n);
	for (int64 i = 0; i < n; i++)
	{
		s->pairs[i].x = pq_getmsgfloat8(&buf);
		s->pairs[i].y = pq_getmsgfloat8(&buf);
		s->pairs[i].member = (uint64) pq_getmsgint64(&buf);
		s->pairs[i].cluster = s->has_cluster ? (uint64) pq_getmsgint64(&buf) : 0;
	}
	s->n = n;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(s);
}

/* Lexicographic orders, so that the final order (hence every sum) depends only on the values. */
static int
cmp_xy(const void *a, const void *b)
{
	const RankPair *p = a;
	const RankPair *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return 0;
}

static int
cmp_yx(const void *a, const void *b)
{
	const RankPair *p = a;
	const RankPair *q = b;

	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return 0;
}

/*
 * Replace the sorted values of one coordinate by their average ranks (1-based; ties share
 * the mean of the positions they span, as R's rank(ties.method = "average")).
 */
static void
assign_ranks(RankPair *pairs, int64 n, bool on_x)
{
	int64		i = 0;

	while (i < n)
	{
		double		v = on_x ? pairs[i].x : pairs[i].y;
		int64		j = i + 1;
		double		rank;

		while (j < n && (on_x ? pairs[j].x : pairs[j].y) == v)
			j++;
		rank = ((double) (i + 1) + (double) j) / 2.0;
		for (int64 t = i; t < j; t++)
		{
			if (on_x)
				pairs[t].x = rank;
			else
				pairs[t].y = rank;
		}
		i = j;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Cluster-robust inference on the ranks: the ranks of each member's rows accumulated per member
 * (the per-member table of linked_correlation), then the same t and interval as Pearson's.
 * With a cluster argument each member's table slot carries its cluster (a member in two is
 * refused, 22023, as linked_correlation does) and MomentsResolve regroups the members per
 * cluster: the jackknife then deletes one cluster's ranks (the ranks stay those of all rows).
 * Everything is allocated in CurrentMemoryContext (the final call's), not in the state.
 */
static void
rank_cluster_inference(const RankState *s, CorrelationInput *in)
{
	Moments    *m = MomentsCreate(CurrentMemoryContext, 2, true, MEMBERS_CAP);

	MomentsUseClusters(m);
	m->inference = s->inference;
	m->clusters = ClusterTableCreate(CurrentMemoryContext, 2);
	for (int64 i = 0; i < s->n; i++)
	{
		double		xy[2] = {s->pairs[i].x, s->pairs[i].y};

		if (s->has_cluster && s->inference == MOMENTS_INFERENCE_TWOWAY)
			ClusterTableAddTwoWay(m->clusters, s->pairs[i].member, s->pairs[i].cluster, xy);
		else if (s->has_cluster)
			ClusterTableAddOuter(m->clusters, s->pairs[i].member, s->pairs[i].cluster, xy);
		else
			ClusterTableAdd(m->clusters, s->pairs[i].member, xy);
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	CorrelationInference(MomentsResolve(m), 0, 1, in);
}

PG_FUNCTION_INFO_V1(exlink_rank_correlation_finalfn);
Datum
exlink_rank_correlation_finalfn(PG_FUNCTION_ARGS)
{
	RankState  *s = ExlinkFinalState(fcinfo, "exlink_rank_correlation_finalfn");
	bool		guarded = s != NULL ? s->track_members : ExlinkAggGuarded(fcinfo, 3);
	CorrelationInput in = {CORRELATION_SPEARMAN};

	if (s == NULL)
	{
		/* No rows: a guarded form has 0 members (refused), an unguarded one nothing to hide. */
		ReleaseFacts facts;

		in.members = guarded ? 0 : -1;
		ReleaseFactsInit(&facts, 0, 0);
		in.suppressed = guarded && !ReleaseAllowed(&facts);
		return CorrelationResult(fcinfo, &in);
	}
	in.n = s->n;
	in.skipped = s->skipped;
	in.members = s->track_members ? (int64) s->members.count : -1;
	if (guarded)
	{
		ReleaseFacts facts;

		ReleaseFactsInit(&facts, in.members, s->k);
		facts.max_member_share = MemberSetShareBound(&s->members);
		in.suppressed = !ReleaseAllowed(&facts);
	}
	in.level = s->level;
	if (!in.suppressed && s->n >= 3)
	{
		/* Ranks in place (idempotent), then Pearson on the ranks, whose means are (n+1)/2. */
		double		mean = ((double) s->n + 1.0) / 2.0;
		double		sxx = 0.0,
					syy = 0.0,
					sxy = 0.0;

		qsort(s->pairs, s->n, sizeof(RankPair), cmp_xy);
		assign_ranks(s->pairs, s->n, true);
		CHECK_FOR_INTERRUPTS();
		qsort(s->pairs, s->n, sizeof(RankPair), cmp_yx);
		assign_ranks(s->pairs, s->n, false);
		for (int64 i = 0; i < s->n; i++)
		{
			double		dx = s->pairs[i].x - mean;
			double		dy = s->pairs[i].y - mean;

			sxx += dx * dx;
			syy += dy * dy;
			sxy += dx * dy;
		}
		in.sxx = sxx;
		in.syy = syy;
		in.sxy = sxy;
		if (s->track_members && s->inference != MOMENTS_INFERENCE_INDEPENDENT)
			rank_cluster_inference(s, &in);
	}
	return CorrelationResult(fcinfo, &in);
}
