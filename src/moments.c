/* moments.c: the mergeable moments state: one-pass update, pairwise merge, serialization. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "comoments.h"
#include "driver_bootstrap.h"
#include "exlink.h"
#include "moments.h"
#include "release_policy.h"

/*
 * 6: the call arguments of a final function (0.3.0, driver_weights with groups or draws);
 * 7: each member's coarser cluster in the per-member table (0.3.0, the cluster argument)
 */
#define MOMENTS_STATE_VERSION 7

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
	m->cluster = CLUSTER_NONE;
	if (track_members)
		MemberSetInit(&m->members, member_cap);
	if (p > 0)
		moments_set_dim(m, p);
	return m;
}

/* One row x (finite, length m->p): the co-moment kernel's update (comoments.h). */
void
MomentsAccumulate(Moments *m, const double *x)
{
	CoMomentsUpdate(m->p, (double) m->n, m->mean, m->comoment, x, m->scratch);
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

/*
 * Attach the constant call arguments a final function reads (copied into m->cxt): see
 * Moments.has_call_args.  A state that has them keeps them; different ones are an error (they
 * are constants of one call, so only a corrupt or foreign state can differ).
 */
void
MomentsSetCallArgs(Moments *m, int ngroups, char *const *groups, int32 draws, int64 seed)
{
	if (m->has_call_args)
	{
		bool		same = (m->ncall_groups == ngroups && m->call_draws == draws &&
							m->call_seed == seed);

		for (int i = 0; same && i < ngroups; i++)
			same = strcmp(m->call_groups[i], groups[i]) == 0;
		if (!same)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("groups, bootstrap and seed must be the same for every row of a group")));
		return;
	}
	m->call_groups = NULL;
	if (ngroups > 0)
	{
		m->call_groups = MemoryContextAlloc(m->cxt, sizeof(char *) * ngroups);
		for (int i = 0; i < ngroups; i++)
			m->call_groups[i] = MemoryContextStrdup(m->cxt, groups[i]);
	}
	m->ncall_groups = ngroups;
	m->call_draws = draws;
	m->call_seed = seed;
	m->has_call_args = true;
}

/*
 * The per-member table of a state with its queued rows in their slots (clusters.h:
 * ClusterTableFlush).  Every function here that hands a table to a reader calls it first.
 */
static inline void
moments_flush(const Moments *m)
{
	if (m->cluster == CLUSTER_ROWS)
		ClusterTableFlush(m->clusters);
}

/* Merge the cluster information of src into dst (see MomentsCluster). */
static void
moments_combine_clusters(Moments *dst, const Moments *src)
{
	if (src->cluster == CLUSTER_EMPTY)
		return;
	if (dst->cluster == CLUSTER_EMPTY)
	{
		dst->cluster = src->cluster;
		if (src->cluster == CLUSTER_SUMMARY)
			dst->summary = ClusterSummaryCopy(dst->cxt, src->summary);
		else if (src->cluster == CLUSTER_ROWS && src->clusters != NULL)
		{
			dst->clusters = ClusterTableCreate(dst->cxt, src->clusters->p);
			ClusterTableMerge(dst->clusters, src->clusters);
		}
		return;
	}
	if (dst->cluster != src->cluster)
	{
		/* A value without a summary among values with one: no clustered inference. */
		dst->cluster = CLUSTER_MISSING;
		dst->summary = NULL;	/* freed with the context */
		return;
	}
	if (dst->cluster == CLUSTER_SUMMARY)
		ClusterSummaryAdd(dst->summary, src->summary);
	else if (dst->cluster == CLUSTER_ROWS && src->clusters != NULL)
	{
		if (dst->clusters == NULL)
			dst->clusters = ClusterTableCreate(dst->cxt, src->clusters->p);
		ClusterTableMerge(dst->clusters, src->clusters);
	}
}

/* Chan, Golub & LeVeque's pairwise merge; dst keeps its memory context. */
void
MomentsCombine(Moments *dst, const Moments *src)
{
	int64		n_total;

	moments_flush(dst);
	moments_flush(src);

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
	if (src->has_call_args)
		MomentsSetCallArgs(dst, src->ncall_groups, src->call_groups, src->call_draws, src->call_seed);

	if (dst->track_members != src->track_members)
		elog(ERROR, "cannot combine exlink moments states with and without members");
	if (dst->track_members)
		MemberSetMerge(&dst->members, &src->members, dst->cxt);
	else
		dst->members_min = Max(dst->members_min, src->members_min);
	if (src->inference != MOMENTS_INFERENCE_UNSET)
		MomentsSetInference(dst, src->inference);
	/* Dimensions first: the per-member and summary merges need p. */
	if (src->p != 0 && dst->p != 0 && dst->p != src->p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine exlink moments of %d and %d variables", dst->p, src->p),
				 errhint("Every row and every merged value of one group must have the same number of variables.")));
	moments_combine_clusters(dst, src);

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
	CoMomentsMerge(dst->p, (double) dst->n, dst->mean, dst->comoment, (double) src->n,
				   src->mean, src->comoment, dst->scratch);
	dst->n += src->n;
}

int64
MomentsMembers(const Moments *m)
{
	moments_flush(m);
	/* Per-member rows count exactly; the reported member count keeps its cap (members.h). */
	if (m->cluster == CLUSTER_ROWS)
		return m->clusters ? Min(ClusterTableMembers(m->clusters), (int64) MEMBERS_CAP) : 0;
	return m->track_members ? (int64) m->members.count : m->members_min;
}

/*
 * What the release policy knows about a state's group: its members, the k argument baked into
 * it and an upper bound on its largest member's share of the rows: exact from the per-member
 * moments (the cluster-robust forms), else the member set's Misra-Gries bound (every other form
 * with a member).  A state merged from exlink.moments values has the facts of a value.
 */
void
MomentsReleaseFacts(const Moments *m, ReleaseFacts *facts)
{
	moments_flush(m);
	if (m->cluster == CLUSTER_ROWS && m->clusters != NULL && m->clusters->of_values)
		ReleaseFactsOfValue(facts, m->members_min, m->k);
	else if (m->cluster == CLUSTER_ROWS)
	{
		ReleaseFactsInit(facts, MomentsMembers(m), m->k);
		facts->max_member_share = m->clusters ? ClusterTableMaxShare(m->clusters) : 0.0;
	}
	else if (m->track_members)
	{
		ReleaseFactsInit(facts, MomentsMembers(m), m->k);
		facts->max_member_share = MemberSetShareBound(&m->members);
	}
	else
		ReleaseFactsOfValue(facts, m->members_min, m->k);
}

/*
 * Wire format of the internal state between parallel workers: a version byte, then fields
 * with pq_send*; never a memcpy of the struct.
 */
bytea *
MomentsSerialize(const Moments *m)
{
	StringInfoData buf;

	moments_flush(m);
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
	pq_sendbyte(&buf, m->has_call_args ? 1 : 0);
	if (m->has_call_args)
	{
		pq_sendint32(&buf, m->ncall_groups);
		for (int i = 0; i < m->ncall_groups; i++)
			pq_sendbytes(&buf, m->call_groups[i], strlen(m->call_groups[i]) + 1);
		pq_sendint32(&buf, m->call_draws);
		pq_sendint64(&buf, m->call_seed);
	}
	pq_sendbyte(&buf, (uint8) m->inference);
	pq_sendbyte(&buf, (uint8) m->cluster);
	if (m->cluster == CLUSTER_ROWS)
	{
		pq_sendbyte(&buf, m->clusters ? 1 : 0);
		if (m->clusters)
		{
			pq_sendint32(&buf, m->clusters->p);
			ClusterTableSerialize(&buf, m->clusters);
		}
	}
	else if (m->cluster == CLUSTER_SUMMARY)
	{
		const ClusterSummary *cs = m->summary;

		pq_sendint32(&buf, cs->p);
		pq_sendint64(&buf, cs->clusters);
		for (int i = 0; i < cs->p; i++)
			pq_sendfloat8(&buf, cs->centre[i]);
		for (int a = 0; a < cs->r; a++)
			for (int b = a; b < cs->r; b++)
				pq_sendfloat8(&buf, cs->S[a * cs->r + b]);
	}
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
	{
		int			has = pq_getmsgbyte(&buf);

		if (has > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exlink moments state")));
		if (has)
		{
			int			ngroups = pq_getmsgint(&buf, 4);
			char	  **groups = NULL;
			int32		draws;
			int64		seed;

			/* One group per driver at most; draws within what the transition accepts. */
			if (ngroups < 0 || ngroups > MOMENTS_MAX_DIM - 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid exlink moments state")));
			if (ngroups > 0)
			{
				groups = palloc(sizeof(char *) * ngroups);
				for (int i = 0; i < ngroups; i++)
					groups[i] = (char *) pq_getmsgrawstring(&buf);
			}
			draws = pq_getmsgint(&buf, 4);
			seed = pq_getmsgint64(&buf);
			if (draws < 0 || draws > EXLINK_BOOTSTRAP_MAX_DRAWS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid exlink moments state")));
			MomentsSetCallArgs(m, ngroups, groups, draws, seed);
			if (groups)
				pfree(groups);
		}
	}
	m->inference = pq_getmsgbyte(&buf);
	m->cluster = (MomentsCluster) pq_getmsgbyte(&buf);
	if (m->inference > MOMENTS_INFERENCE_TWOWAY || m->cluster > CLUSTER_EMPTY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid exlink moments state")));
	if (m->cluster == CLUSTER_ROWS && pq_getmsgbyte(&buf) != 0)
	{
		int			cp = pq_getmsgint(&buf, 4);

		if (cp < 1 || cp > MOMENTS_MAX_DIM || cp != p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exlink moments state")));
		m->clusters = ClusterTableDeserialize(&buf, cxt, cp);
	}
	else if (m->cluster == CLUSTER_SUMMARY)
	{
		int			cp = pq_getmsgint(&buf, 4);
		ClusterSummary *cs;

		if (cp < 1 || cp > MOMENTS_SUMMARY_MAX_DIM || cp != p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exlink moments state")));
		cs = ClusterSummaryCreate(cxt, cp);
		cs->clusters = pq_getmsgint64(&buf);
		if (cs->clusters < 0 || cs->clusters > MOMENTS_MAX_CLUSTERS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exlink moments state")));
		for (int i = 0; i < cp; i++)
			cs->centre[i] = pq_getmsgfloat8(&buf);
		for (int a = 0; a < cs->r; a++)
			for (int b = a; b < cs->r; b++)
				cs->S[a * cs->r + b] = cs->S[b * cs->r + a] = pq_getmsgfloat8(&buf);
		m->summary = cs;
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
	ClusterSummary *cs = NULL;

	moments_flush(m);
	for (int i = 0; i < m->p; i++)
		if (!isfinite(m->mean[i]))
			return NULL;
	for (int i = 0; i < MOMENTS_TRI_SIZE(m->p); i++)
		if (!isfinite(m->comoment[i]))
			return NULL;

	/* m is resolved (MomentsResolve): a summary is centred at m->mean. */
	if (m->p <= MOMENTS_SUMMARY_MAX_DIM && m->n > 0)
	{
		if (m->cluster == CLUSTER_ROWS && m->clusters != NULL)
			cs = ClusterSummaryFromTable(CurrentMemoryContext, m->clusters, m->mean);
		else if (m->cluster == CLUSTER_SUMMARY)
			cs = m->summary;
	}
	if (cs != NULL)
	{
		for (int a = 0; a < cs->r * cs->r; a++)
			if (!isfinite(cs->S[a]))
				return NULL;
		size = MomentsValueSummarySize(m->p);
	}

	v = palloc0(size);

	SET_VARSIZE(v, size);
	v->version = cs ? MOMENTS_VALUE_VERSION_SUMMARY : MOMENTS_VALUE_VERSION;
	v->flags = cs ? MOMENTS_FLAG_SUMMARY : 0;
	if (cs)
	{
		double	   *out = v->data + m->p + MOMENTS_TRI_SIZE(m->p);

		*out++ = (double) cs->clusters;
		for (int a = 0; a < cs->r; a++)
			for (int b = a; b < cs->r; b++)
				*out++ = cs->S[a * cs->r + b];
	}
	v->p = (int16) m->p;
	v->n = m->n;
	v->skipped = m->skipped;
	v->members = MomentsMembers(m);
	memcpy(v->data, m->mean, sizeof(double) * m->p);
	memcpy(v->data + m->p, m->comoment, sizeof(double) * MOMENTS_TRI_SIZE(m->p));
	return v;
}

static Moments *moments_from_value(const MomentsValue *v, MemoryContext cxt, bool with_summary);

Moments *
MomentsFromValue(const MomentsValue *v, MemoryContext cxt)
{
	return moments_from_value(v, cxt, true);
}

/*
 * exlink.merge's transition step: the union of dst and the value v.  A value's summary is
 * added straight from its packed form when dst already has one (no unpacked copy, one pass);
 * otherwise as MomentsCombine(dst, MomentsFromValue(v)).
 */
void
MomentsMergeValue(Moments *dst, const MomentsValue *v)
{
	Moments    *src;

	moments_flush(dst);
	if (MomentsValueHasSummary(v) && dst->cluster == CLUSTER_SUMMARY && dst->summary != NULL &&
		dst->p == v->p && v->n > 0)
	{
		const double *packed = v->data + v->p + MOMENTS_TRI_SIZE(v->p);

		src = moments_from_value(v, CurrentMemoryContext, false);
		ClusterSummaryAddPacked(dst->summary, packed + 1, (int64) packed[0], v->data);
		src->cluster = CLUSTER_EMPTY;	/* its clusters are merged */
	}
	else
		src = moments_from_value(v, CurrentMemoryContext, true);
	MomentsCombine(dst, src);
}

static Moments *
moments_from_value(const MomentsValue *v, MemoryContext cxt, bool with_summary)
{
	Moments    *m = MomentsCreate(cxt, v->p, false, 1);

	m->n = v->n;
	m->skipped = v->skipped;
	m->members_min = v->members;
	memcpy(m->mean, v->data, sizeof(double) * v->p);
	memcpy(m->comoment, v->data + v->p, sizeof(double) * MOMENTS_TRI_SIZE(v->p));
	if (MomentsValueHasSummary(v) && with_summary)
	{
		const double *in = v->data + v->p + MOMENTS_TRI_SIZE(v->p);
		ClusterSummary *cs = ClusterSummaryCreate(cxt, v->p);

		cs->clusters = (int64) *in++;
		memcpy(cs->centre, v->data, sizeof(double) * v->p);
		for (int a = 0; a < cs->r; a++)
			for (int b = a; b < cs->r; b++)
				cs->S[a * cs->r + b] = cs->S[b * cs->r + a] = *in++;
		m->summary = cs;
		m->cluster = CLUSTER_SUMMARY;
	}
	else
		m->cluster = v->members >= 0 ? CLUSTER_MISSING : CLUSTER_NONE;
	return m;
}

/* --- cluster-robust support -------------------------------------------------------------- */

void
MomentsUseClusters(Moments *m)
{
	m->cluster = CLUSTER_ROWS;
}

/* Keep the inference of a group: rows (or partial states) of one group must agree. */
void
MomentsSetInference(Moments *m, int inference)
{
	if (m->inference == MOMENTS_INFERENCE_UNSET)
		m->inference = inference;
	else if (m->inference != inference)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("all rows of a group must ask for the same inference")));
}

/* An inference argument: 'cluster', 'cr1' or 'independent' (22023 otherwise, or NULL). */
int
ExlinkInferenceArg(FunctionCallInfo fcinfo, int argno)
{
	char	   *s;

	if (argno >= PG_NARGS())
		return MOMENTS_INFERENCE_UNSET;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("inference must not be null"),
				 errhint("Use 'cluster' (the default), 'cr1', 'twoway' or 'independent'.")));
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strcmp(s, "cluster") == 0)
		return MOMENTS_INFERENCE_CLUSTER;
	if (strcmp(s, "independent") == 0)
		return MOMENTS_INFERENCE_INDEPENDENT;
	if (strcmp(s, "cr1") == 0)
		return MOMENTS_INFERENCE_CR1;
	if (strcmp(s, "twoway") == 0)
		return MOMENTS_INFERENCE_TWOWAY;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("inference must be 'cluster', 'cr1', 'twoway' or 'independent'")));
	return MOMENTS_INFERENCE_UNSET;	/* keep the compiler quiet */
}

/*
 * A complete row of a CLUSTER_ROWS state: into its member's moments (the table is made on the
 * first row).  False when the member argument is NULL or empty: the row is skipped.
 */
bool
MomentsClusterRow(Moments *m, FunctionCallInfo fcinfo, int argno, const double *x)
{
	uint64		key;

	if (!ExlinkMemberKey(fcinfo, argno, &key))
		return false;
	if (m->clusters == NULL)
		m->clusters = ClusterTableCreate(m->cxt, m->p);
	ClusterTableAdd(m->clusters, key, x);
	return true;
}

/*
 * As MomentsClusterRow, for a member nested in the coarser cluster of argument outer_argno
 * (driver_weights' cluster argument).  False also when the cluster is NULL or empty.
 */
bool
MomentsClusterRowOuter(Moments *m, FunctionCallInfo fcinfo, int argno, int outer_argno, const double *x)
{
	uint64		key,
				outer;

	if (!ExlinkMemberKey(fcinfo, argno, &key) || !ExlinkMemberKey(fcinfo, outer_argno, &outer))
		return false;
	if (m->clusters == NULL)
		m->clusters = ClusterTableCreate(m->cxt, m->p);
	/* inference => 'twoway': members need not be nested, rows go to member-x-cluster cells. */
	if (m->inference == MOMENTS_INFERENCE_TWOWAY)
		ClusterTableAddTwoWay(m->clusters, key, outer, x);
	else
		ClusterTableAddOuter(m->clusters, key, outer, x);
	return true;
}

Moments *
MomentsResolve(const Moments *m)
{
	Moments    *r;

	moments_flush(m);
	if (m->cluster != CLUSTER_ROWS && m->cluster != CLUSTER_SUMMARY)
		return (Moments *) m;
	r = palloc(sizeof(Moments));
	memcpy(r, m, sizeof(Moments));
	r->cxt = CurrentMemoryContext;
	if (m->cluster == CLUSTER_ROWS)
	{
		const ClusterTable *t = m->clusters;
		int			p = m->p;
		double	   *acc;

		if (t == NULL || p == 0)
			return r;
		/* n, means and co-moments of all rows: the Chan merge of the members'. */
		acc = palloc0(sizeof(double) * (1 + p + MOMENTS_TRI_SIZE(p)));
		for (int64 g = 0; g < t->count; g++)
			ClusterSlotMerge(p, acc, ClusterTableSlot(t, g), t->scratch);
		r->n = (int64) acc[0];
		r->mean = acc + 1;
		r->comoment = acc + 1 + p;
		r->scratch = palloc(sizeof(double) * p);
		/* Two-way: the table by member, pointing at those by cluster and by cell. */
		if (t->twoway)
			r->clusters = ClusterTableTwoWay(CurrentMemoryContext, t);
		/* Coarser clusters: the variance step sees one slot per cluster. */
		else if (t->has_outer)
			r->clusters = ClusterTableByOuter(CurrentMemoryContext, t);
		return r;
	}
	/* A summary: centred at the mean of all rows, on a copy. */
	if (m->summary != NULL && m->n > 0)
	{
		r->summary = ClusterSummaryCopy(CurrentMemoryContext, m->summary);
		ClusterSummaryRecentre(r->summary, m->mean);
	}
	return r;
}

int64
MomentsClusters(const Moments *m)
{
	moments_flush(m);
	if (m->cluster == CLUSTER_ROWS)
		return m->clusters ? m->clusters->count : 0;
	if (m->cluster == CLUSTER_SUMMARY && m->summary)
		return m->summary->clusters;
	return -1;
}

bool
MomentsClusterMeat(const Moments *m, int y, const int *x, int k, const double *b, double *M)
{
	const int	p = m->p;

	moments_flush(m);
	memset(M, 0, sizeof(double) * k * k);
	if (m->cluster == CLUSTER_ROWS && m->clusters != NULL)
	{
		const ClusterTable *t = m->clusters;
		double	   *d = palloc(sizeof(double) * p);
		double	   *sg = palloc(sizeof(double) * k);

		for (int64 g = 0; g < t->count; g++)
		{
			const double *slot = ClusterTableSlot(t, g);
			double		ng = slot[0];
			const double *cg = slot + 1 + p;

			if ((g & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			for (int i = 0; i < p; i++)
				d[i] = slot[1 + i] - m->mean[i];
			/* s_j = Q[x_j, y] - sum_l b_l Q[x_j, x_l], Q = C_g + n_g d d' */
			for (int j = 0; j < k; j++)
			{
				int			xj = x[j];
				double		s = cg[MOMENTS_TRI(p, Min(xj, y), Max(xj, y))] + ng * d[xj] * d[y];

				for (int l = 0; l < k; l++)
				{
					int			xl = x[l];

					s -= b[l] * (cg[MOMENTS_TRI(p, Min(xj, xl), Max(xj, xl))] + ng * d[xj] * d[xl]);
				}
				sg[j] = s;
			}
			for (int j = 0; j < k; j++)
				for (int l = 0; l < k; l++)
					M[j * k + l] += sg[j] * sg[l];
		}
		pfree(d);
		pfree(sg);
		return true;
	}
	if (m->cluster == CLUSTER_SUMMARY && m->summary != NULL)
	{
		const ClusterSummary *cs = m->summary;
		const int	r = cs->r;
		int		   *v = palloc(sizeof(int) * (k + 1));
		double	   *gam = palloc(sizeof(double) * (k + 1));

		/* gamma over the variables y, x_1..x_k: 1, -b. */
		v[0] = y;
		gam[0] = 1.0;
		for (int l = 0; l < k; l++)
		{
			v[l + 1] = x[l];
			gam[l + 1] = -b[l];
		}
		for (int j = 0; j < k; j++)
			for (int l = j; l < k; l++)
			{
				double		s = 0.0;

				for (int a = 0; a <= k; a++)
				{
					const double *row = cs->S + (size_t) SUMMARY_Q(p, x[j], v[a]) * r;
					double		inner = 0.0;

					for (int c = 0; c <= k; c++)
						inner += gam[c] * row[SUMMARY_Q(p, x[l], v[c])];
					s += gam[a] * inner;
				}
				M[j * k + l] = M[l * k + j] = s;
			}
		pfree(v);
		pfree(gam);
		return true;
	}
	return false;
}

bool
MomentsClusterLinear(const Moments *m, int nterms, const int *a, const int *b, const double *w,
					 double *out)
{
	const int	p = m->p;

	moments_flush(m);
	*out = 0.0;
	if (m->cluster == CLUSTER_ROWS && m->clusters != NULL)
	{
		const ClusterTable *t = m->clusters;

		for (int64 g = 0; g < t->count; g++)
		{
			const double *slot = ClusterTableSlot(t, g);
			double		ng = slot[0];
			const double *cg = slot + 1 + p;
			double		psi = 0.0;

			for (int u = 0; u < nterms; u++)
			{
				int			i = Min(a[u], b[u]),
							j = Max(a[u], b[u]);
				double		di = slot[1 + i] - m->mean[i];
				double		dj = slot[1 + j] - m->mean[j];

				psi += w[u] * (cg[MOMENTS_TRI(p, i, j)] + ng * di * dj);
			}
			*out += psi * psi;
		}
		return true;
	}
	if (m->cluster == CLUSTER_SUMMARY && m->summary != NULL)
	{
		const ClusterSummary *cs = m->summary;

		for (int u = 0; u < nterms; u++)
			for (int v = 0; v < nterms; v++)
				*out += w[u] * w[v] *
					cs->S[(size_t) SUMMARY_Q(p, a[u], b[u]) * cs->r + SUMMARY_Q(p, a[v], b[v])];
		return true;
	}
	return false;
}

InferenceMethod
MomentsInference(const Moments *m, int64 *clusters, const char **why)
{
	*clusters = -1;
	*why = NULL;
	if (m->inference == MOMENTS_INFERENCE_INDEPENDENT || m->cluster == CLUSTER_NONE ||
		m->cluster == CLUSTER_EMPTY)
		return INFERENCE_METHOD_INDEPENDENT;
	/*
	 * Two-way (Cameron-Gelbach-Miller): CR1 by member, by cluster and by cell combined
	 * (cluster_variance.c), on min(G_member, G_cluster) - 1 df; only where the rows had a
	 * cluster argument.
	 */
	if (m->inference == MOMENTS_INFERENCE_TWOWAY)
	{
		const ClusterTable *by_cluster;

		if (m->cluster != CLUSTER_ROWS || (m->clusters != NULL && m->clusters->twoway_by_cluster == NULL))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("inference 'twoway' needs rows with a member and a cluster argument"),
					 errhint("Use the form with a cluster argument (e.g. the team), or inference 'cluster' or 'cr1'.")));
		by_cluster = m->clusters ? m->clusters->twoway_by_cluster : NULL;
		if (by_cluster == NULL || m->clusters->count < 2 || by_cluster->count < 2)
		{
			*why = "unavailable: fewer than 2 clusters";
			return INFERENCE_METHOD_UNAVAILABLE;
		}
		*clusters = Min(m->clusters->count, by_cluster->count);
		return INFERENCE_METHOD_CR1;
	}
	if (m->cluster == CLUSTER_MISSING)
	{
		*why = "unavailable: a merged value has no cluster summary (made by exlink 0.1.0, without members, or with more than 16 variables)";
		return INFERENCE_METHOD_UNAVAILABLE;
	}
	if (MomentsClusters(m) < 2)
	{
		*why = "unavailable: fewer than 2 clusters";
		return INFERENCE_METHOD_UNAVAILABLE;
	}
	*clusters = MomentsClusters(m);
	if (m->inference == MOMENTS_INFERENCE_CR1 || m->cluster != CLUSTER_ROWS)
		return INFERENCE_METHOD_CR1;
	return INFERENCE_METHOD_SMALL_SAMPLE;
}

double
MomentsMaxMemberShare(const Moments *m)
{
	moments_flush(m);
	if (m->cluster == CLUSTER_ROWS && m->clusters != NULL)
		return ClusterTableMaxShare(m->clusters);
	return -1.0;
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
		a->cluster = CLUSTER_EMPTY;
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
