/* moments.c: the mergeable moments state: one-pass update, pairwise merge, serialization. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "exlink.h"
#include "moments.h"
#include "release_policy.h"

#define MOMENTS_STATE_VERSION 3

static void
moments_set_dim(Moments *m, int p)
{
	if (p < 1 || p > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("exlink moments take between 1 and %d variables, got %d",
						MOMENTS_MAX_DIM, p)));
	m->p = p;
	/* One chunk for the three arrays: a GROUP BY creates one state per group. */
	m->mean = MemoryContextAllocZero(m->cxt, sizeof(double) * (2 * p + MOMENTS_TRI_SIZE(p)));
	m->comoment = m->mean + p;
	m->scratch = m->comoment + MOMENTS_TRI_SIZE(p);
}

/* Allocates the state in cxt; p = 0 leaves the dimension to be fixed by the first row. */
Moments *
MomentsCreate(MemoryContext cxt, int p, bool track_members, int member_cap)
{
	Moments    *m = MemoryContextAllocZero(cxt, sizeof(Moments));

	m->cxt = cxt;
	m->track_members = track_members;
	m->members_min = -1;
	if (track_members)
		MemberSetInit(&m->members, member_cap);
	if (p > 0)
		moments_set_dim(m, p);
	return m;
}

/*
 * Welford's update generalised to co-moments: with d = x - mean (before the update),
 * C_ij += n/(n+1) * d_i * d_j.  x must be finite and of length m->p.
 */
void
MomentsAccumulate(Moments *m, const double *x)
{
	const int	p = m->p;
	double	   *d = m->scratch;
	double		n1 = (double) (m->n + 1);
	double		f = (double) m->n / n1;
	double	   *c = m->comoment;

	for (int i = 0; i < p; i++)
	{
		d[i] = x[i] - m->mean[i];
		m->mean[i] += d[i] / n1;
	}
	for (int i = 0; i < p; i++)
	{
		double		fdi = f * d[i];

		for (int j = i; j < p; j++)
			*c++ += fdi * d[j];
	}
	m->n++;
}

/*
 * Attach labels (copied into m->cxt).  Opaque to the moments themselves: they only travel with
 * the state through combine and serialization, so a final function sees what the rows said
 * (driver names) even in a parallel plan.  A state that has labels keeps them; different labels
 * in one group are an error.
 */
void
MomentsSetLabels(Moments *m, int nlabels, char *const *labels)
{
	if (m->nlabels > 0)
	{
		bool		same = (m->nlabels == nlabels);

		for (int i = 0; same && i < nlabels; i++)
			same = strcmp(m->labels[i], labels[i]) == 0;
		if (!same)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("names must be the same for every row of a group")));
		return;
	}
	if (nlabels <= 0)
		return;
	m->labels = MemoryContextAlloc(m->cxt, sizeof(char *) * nlabels);
	for (int i = 0; i < nlabels; i++)
		m->labels[i] = MemoryContextStrdup(m->cxt, labels[i]);
	m->nlabels = nlabels;
}

/* Chan, Golub & LeVeque's pairwise merge; dst keeps its memory context. */
void
MomentsCombine(Moments *dst, const Moments *src)
{
	int64		n_total;

	/*
	 * Counts come from untrusted exlink.moments values too (exlink.merge): refuse a sum that
	 * does not fit rather than wrap to a negative n.
	 */
	if (pg_add_s64_overflow(dst->skipped, src->skipped, &dst->skipped) ||
		pg_add_s64_overflow(dst->n, src->n, &n_total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("exlink moments row count out of range")));
	dst->k = Max(dst->k, src->k);
	if (src->level != 0.0)
		ExlinkSetLevel(&dst->level, src->level);
	if (src->nlabels > 0)
		MomentsSetLabels(dst, src->nlabels, src->labels);

	if (dst->track_members != src->track_members)
		elog(ERROR, "cannot combine exlink moments states with and without members");
	if (dst->track_members)
		MemberSetMerge(&dst->members, &src->members, dst->cxt);
	else
		dst->members_min = Max(dst->members_min, src->members_min);

	if (src->p == 0)
		return;
	if (dst->p == 0)
		moments_set_dim(dst, src->p);
	else if (dst->p != src->p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine exlink moments of %d and %d variables", dst->p, src->p),
				 errhint("Every row and every merged value of one group must have the same number of variables.")));

	if (src->n == 0)
		return;
	if (dst->n == 0)
	{
		memcpy(dst->mean, src->mean, sizeof(double) * src->p);
		memcpy(dst->comoment, src->comoment, sizeof(double) * MOMENTS_TRI_SIZE(src->p));
		dst->n = src->n;
		return;
	}
	{
		const int	p = dst->p;
		double		na = (double) dst->n;
		double		nb = (double) src->n;
		double		nt = na + nb;
		double		w = na * nb / nt;
		double	   *d = dst->scratch;
		int			k = 0;

		for (int i = 0; i < p; i++)
		{
			d[i] = src->mean[i] - dst->mean[i];
			dst->mean[i] += d[i] * (nb / nt);
		}
		for (int i = 0; i < p; i++)
			for (int j = i; j < p; j++, k++)
				dst->comoment[k] += src->comoment[k] + w * d[i] * d[j];
		dst->n += src->n;
	}
}

int64
MomentsMembers(const Moments *m)
{
	return m->track_members ? (int64) m->members.count : m->members_min;
}

/*
 * What the release policy knows about a state's group: its members (exact, or the lower bound
 * of a value; -1 unknown) and the k argument baked into it.
 */
void
MomentsReleaseFacts(const Moments *m, ReleaseFacts *facts)
{
	ReleaseFactsInit(facts, MomentsMembers(m), m->k);
}

/*
 * Wire format of the internal state between parallel workers: a version byte, then fields
 * with pq_send*; never a memcpy of the struct.
 */
bytea *
MomentsSerialize(const Moments *m)
{
	StringInfoData buf;

	ExlinkStateSendBegin(&buf, MOMENTS_STATE_VERSION);
	pq_sendint32(&buf, m->p);
	pq_sendint64(&buf, m->n);
	pq_sendint64(&buf, m->skipped);
	pq_sendint32(&buf, m->k);
	pq_sendfloat8(&buf, m->level);
	pq_sendbyte(&buf, m->track_members ? 1 : 0);
	if (m->track_members)
		MemberSetSerialize(&buf, &m->members);
	else
		pq_sendint64(&buf, m->members_min);
	for (int i = 0; i < m->p; i++)
		pq_sendfloat8(&buf, m->mean[i]);
	for (int i = 0; i < MOMENTS_TRI_SIZE(m->p); i++)
		pq_sendfloat8(&buf, m->comoment[i]);
	pq_sendint32(&buf, m->nlabels);
	/*
	 * Raw bytes in the server encoding: pq_sendstring/pq_getmsgstring convert to and from the
	 * client encoding, which a parallel worker does not use (it sends server-encoded bytes), so
	 * the leader would read a worker's non-ASCII names in the wrong encoding.
	 */
	for (int i = 0; i < m->nlabels; i++)
		pq_sendbytes(&buf, m->labels[i], strlen(m->labels[i]) + 1);
	return pq_endtypsend(&buf);
}

Moments *
MomentsDeserialize(bytea *b, MemoryContext cxt)
{
	StringInfoData buf;
	Moments    *m;
	int			p;
	bool		track;

	ExlinkStateRecvBegin(b, &buf, MOMENTS_STATE_VERSION, "moments");
	p = pq_getmsgint(&buf, 4);
	if (p < 0 || p > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid exlink moments state")));
	m = MomentsCreate(cxt, p, false, 1);
	m->n = pq_getmsgint64(&buf);
	m->skipped = pq_getmsgint64(&buf);
	m->k = pq_getmsgint(&buf, 4);
	m->level = pq_getmsgfloat8(&buf);
	track = pq_getmsgbyte(&buf) != 0;
	m->track_members = track;
	if (track)
		MemberSetDeserialize(&buf, &m->members, cxt);
	else
		m->members_min = pq_getmsgint64(&buf);
	for (int i = 0; i < p; i++)
		m->mean[i] = pq_getmsgfloat8(&buf);
	for (int i = 0; i < MOMENTS_TRI_SIZE(p); i++)
		m->comoment[i] = pq_getmsgfloat8(&buf);
	{
		int			nlabels = pq_getmsgint(&buf, 4);

		if (nlabels < 0 || nlabels > MOMENTS_MAX_DIM)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exlink moments state")));
		if (nlabels > 0)
		{
			char	  **labels = palloc(sizeof(char *) * nlabels);

			for (int i = 0; i < nlabels; i++)
				labels[i] = (char *) pq_getmsgrawstring(&buf);
			MomentsSetLabels(m, nlabels, labels);
			pfree(labels);
		}
	}
	pq_getmsgend(&buf);
	if (m->n < 0 || m->skipped < 0 || m->k < 0 || m->k > EXLINK_MAX_GROUP_SIZE ||
		(p == 0 && m->n != 0) || (!track && m->members_min < -1) ||
		!(m->level == 0.0 || (m->level > 0.0 && m->level < 1.0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid exlink moments state")));
	return m;
}

/*
 * Seal a state into the SQL value: member hashes never leave, only the count's lower bound.
 * NULL when a mean or co-moment is not finite (values beyond ~1e154 in magnitude overflow the
 * co-moments): such a value would break the type's own invariants (its text form could not be
 * read back), so the aggregates return NULL instead, as documented.
 */
MomentsValue *
MomentsToValue(const Moments *m)
{
	Size		size = MomentsValueSize(m->p);
	MomentsValue *v;

	for (int i = 0; i < m->p; i++)
		if (!isfinite(m->mean[i]))
			return NULL;
	for (int i = 0; i < MOMENTS_TRI_SIZE(m->p); i++)
		if (!isfinite(m->comoment[i]))
			return NULL;

	v = palloc0(size);

	SET_VARSIZE(v, size);
	v->version = MOMENTS_VALUE_VERSION;
	v->flags = 0;
	v->p = (int16) m->p;
	v->n = m->n;
	v->skipped = m->skipped;
	v->members = MomentsMembers(m);
	memcpy(v->data, m->mean, sizeof(double) * m->p);
	memcpy(v->data + m->p, m->comoment, sizeof(double) * MOMENTS_TRI_SIZE(m->p));
	return v;
}

Moments *
MomentsFromValue(const MomentsValue *v, MemoryContext cxt)
{
	Moments    *m = MomentsCreate(cxt, v->p, false, 1);

	m->n = v->n;
	m->skipped = v->skipped;
	m->members_min = v->members;
	memcpy(m->mean, v->data, sizeof(double) * v->p);
	memcpy(m->comoment, v->data + v->p, sizeof(double) * MOMENTS_TRI_SIZE(v->p));
	return m;
}

Moments *
MomentsTransState(FunctionCallInfo fcinfo, int p, bool track_members)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink transition function");
	Moments    *m;

	if (!PG_ARGISNULL(0))
	{
		m = (Moments *) PG_GETARG_POINTER(0);
		if (p > 0 && m->p == 0)
			moments_set_dim(m, p);
		else if (p > 0 && m->p != p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("all rows of a group must have the same number of values"),
					 errdetail("The group started with %d values; this row has %d.", m->p, p)));
		return m;
	}
	return MomentsCreate(aggcxt, p, track_members, MEMBERS_CAP);
}

PG_FUNCTION_INFO_V1(exlink_moments_combinefn);
Datum
exlink_moments_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_moments_combinefn");
	Moments    *a = PG_ARGISNULL(0) ? NULL : (Moments *) PG_GETARG_POINTER(0);
	Moments    *b = PG_ARGISNULL(1) ? NULL : (Moments *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		/* Copy into the aggregate context: b may live in a shorter-lived one. */
		a = MomentsCreate(aggcxt, 0, b->track_members,
						  b->track_members ? b->members.cap : 1);
	}
	MomentsCombine(a, b);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(exlink_moments_serialfn);
Datum
exlink_moments_serialfn(PG_FUNCTION_ARGS)
{
	(void) ExlinkAggContext(fcinfo, "exlink_moments_serialfn");
	PG_RETURN_BYTEA_P(MomentsSerialize((Moments *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(exlink_moments_deserialfn);
Datum
exlink_moments_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_moments_deserialfn");

	PG_RETURN_POINTER(MomentsDeserialize(PG_GETARG_BYTEA_PP(0), aggcxt));
}
