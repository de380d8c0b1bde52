/* clusters.c: the per-member table (ClusterTable) and the cluster summary of merged values. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>
#include <sys/mman.h>

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "clusters.h"
#include "comoments.h"
#include "members.h"

/* --- per-member moments for cluster-robust inference ------------------------------------ */

/*
 * The member index: open addressing with linear probing over 8-byte buckets, each the high 32
 * bits of the member's hash (a tag) above its slot number + 1 (0: an empty bucket), at most half
 * full.  A bucket is probed from the hash's low bits (MemberHash is hash_bytes_extended: well
 * mixed); a tag match is confirmed on the full key, stored before the slot.
 *
 * Why not simplehash, and why a queue.  Rows seldom arrive grouped by member, so with 50,000
 * members a row's member is anywhere in the index and the slots (several MB): simplehash cost a
 * row two or three cache misses (its entry, the slot, the key), which made linked_correlation
 * with a member 1.7-2.0 times corr in CPU time (bench case 21_correlation_member, 3 M rows).
 * ClusterTableAdd therefore queues each row: it prefetches the row's index bucket; CLUSTER_LAG
 * rows later it reads the bucket (now in cache), takes the slot it names (a new member gets its
 * slot then) and prefetches the key and slot (one aligned cache line for a correlation);
 * CLUSTER_LAG rows later again it confirms the key and updates the slot (1.1-1.35 times corr,
 * docs/performance.md).  The rows of one member still reach its slot in their order, so the result is the
 * one of the direct update, bit for bit.  ClusterTableFlush empties the queue before any reader.
 */
#define CLUSTER_INDEX_MIN 16
#define CLUSTER_HUGE_PAGE ((Size) 2 * 1024 * 1024)
#define CLUSTER_QUEUE (2 * CLUSTER_LAG)
StaticAssertDecl((CLUSTER_QUEUE & (CLUSTER_QUEUE - 1)) == 0, "the queue wraps by a mask");

#ifdef __GNUC__
#define cluster_prefetch(addr) __builtin_prefetch(addr)
#else
#define cluster_prefetch(addr) ((void) 0)
#endif

static inline uint64
cluster_bucket(uint64 key, int64 slot)
{
	return ((key >> 32) << 32) | (uint64) (slot + 1);
}

/* The slot's doubles, also while rows are queued (ClusterTableSlot asserts an empty queue). */
static inline double *
slot_at(const ClusterTable *t, int64 s)
{
	return t->data + s * t->sstride + 1;
}

/* The key stored before slot s (its bits in the double's room). */
static inline uint64
slot_key(const ClusterTable *t, int64 s)
{
	uint64		k;

	memcpy(&k, t->data + s * t->sstride, sizeof(uint64));
	return k;
}

/*
 * (Re)allocate the slots for t->capacity members, 64-byte aligned, keeping the first count.
 * From 2 MB on (32,768 correlation slots), aligned to and advised into huge pages where the
 * kernel offers them (Linux's transparent huge pages, also in madvise mode): rows reach the
 * slots at random, and with 4 kB pages a large table costs a TLB miss on most rows.
 */
static void
cluster_data_alloc(ClusterTable *t)
{
	Size		bytes = sizeof(double) * t->capacity * t->sstride;
	void	   *block;
	double	   *data;

#ifdef MADV_HUGEPAGE
	if (bytes >= CLUSTER_HUGE_PAGE)
	{
		block = MemoryContextAllocHuge(t->cxt, bytes + CLUSTER_HUGE_PAGE);
		data = (double *) TYPEALIGN(CLUSTER_HUGE_PAGE, block);
		/* advice only: without huge pages the table works as before */
		(void) madvise(data, TYPEALIGN_DOWN(CLUSTER_HUGE_PAGE, bytes), MADV_HUGEPAGE);
	}
	else
#endif
	{
		block = MemoryContextAllocHuge(t->cxt, bytes + PG_CACHE_LINE_SIZE);
		data = (double *) TYPEALIGN(PG_CACHE_LINE_SIZE, block);
	}

	if (t->data_block != NULL)
	{
		memcpy(data, t->data, sizeof(double) * t->count * t->sstride);
		pfree(t->data_block);
	}
	t->data_block = block;
	t->data = data;
}

/* Rebuild the index with nbuckets (a power of 2) buckets from keys[]. */
static void
cluster_index_build(ClusterTable *t, uint64 nbuckets)
{
	uint64		mask = nbuckets - 1;

	if (t->index != NULL)
		pfree(t->index);
	t->index = MemoryContextAllocHuge(t->cxt, sizeof(uint64) * nbuckets);
	memset(t->index, 0, sizeof(uint64) * nbuckets);
	t->index_mask = mask;
	for (int64 s = 0; s < t->count; s++)
	{
		uint64		i = t->keys[s] & mask;

		while (t->index[i] != 0)
			i = (i + 1) & mask;
		t->index[i] = cluster_bucket(t->keys[s], s);
	}
}

ClusterTable *
ClusterTableCreate(MemoryContext parent, int p)
{
	/* Small sizes: a GROUP BY creates one table per group, most of them small. */
	MemoryContext cxt = AllocSetContextCreate(parent, "exlink per-member moments",
											  ALLOCSET_SMALL_SIZES);
	ClusterTable *t = MemoryContextAllocZero(cxt, sizeof(ClusterTable));

	Assert(p >= 1);
	t->cxt = cxt;
	t->p = p;
	t->stride = 1 + p + p * (p + 1) / 2;
	t->sstride = 1 + t->stride <= 8 ? 8 : 1 + t->stride;
	t->capacity = 8;
	cluster_data_alloc(t);
	t->keys = MemoryContextAllocHuge(cxt, sizeof(uint64) * t->capacity);
	cluster_index_build(t, CLUSTER_INDEX_MIN);
	t->last_slot = -1;
	t->scratch = MemoryContextAlloc(cxt, sizeof(double) * p);
	t->queue_x = MemoryContextAlloc(cxt, sizeof(double) * CLUSTER_QUEUE * p);
	return t;
}

/*
 * The most members a table may hold: exlink.max_cluster_members up to 16 variables; above, the
 * same memory (the setting times a 16-variable slot), so that a wide model cannot make a group
 * take gigabytes (64 variables cost 14 times the bytes of 16 per member).
 */
static int64
cluster_member_limit(const ClusterTable *t)
{
	int64		limit = ExlinkMaxClusterMembers();
	int			stride16 = 1 + 16 + 16 * 17 / 2;

	if (t->stride > stride16)
		limit = Max(1, limit * stride16 / t->stride);
	return limit;
}

/* A new member key in the empty bucket of the index: its slot, zeroed; 54000 past the limit. */
static pg_noinline int64
cluster_slot_new(ClusterTable *t, uint64 key, uint64 bucket)
{
	int64		limit = cluster_member_limit(t);
	int64		s = t->count;

	if (t->count >= limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct members for cluster-robust inference"),
				 errdetail("A group has more than " INT64_FORMAT " distinct members (exlink.max_cluster_members, scaled down above 16 variables to the same memory); each costs about %d bytes of memory here.",
						   limit, (int) ((t->sstride + 1) * sizeof(double) + 24)),
				 errhint("Raise exlink.max_cluster_members, or ask for inference => 'independent' if the rows are independent.")));
	if (t->count == t->capacity)
	{
		t->capacity *= 2;
		cluster_data_alloc(t);
		t->keys = repalloc_huge(t->keys, sizeof(uint64) * t->capacity);
		if (t->has_outer || t->twoway)
			t->outer = repalloc_huge(t->outer, sizeof(uint64) * t->capacity);
		if (t->twoway)
			t->inner = repalloc_huge(t->inner, sizeof(uint64) * t->capacity);
	}
	t->keys[s] = key;
	memcpy(t->data + s * t->sstride, &key, sizeof(uint64));
	memset(slot_at(t, s), 0, sizeof(double) * t->stride);
	t->count++;
	t->index[bucket] = cluster_bucket(key, s);
	/* At most half full: probes stay short. */
	if ((uint64) t->count * 2 > t->index_mask + 1)
		cluster_index_build(t, (t->index_mask + 1) * 2);
	return s;
}

/*
 * The slot of key from the index: with confirm, the member's slot (created when new); without,
 * a candidate (the first tag match, or the new member's slot), to be confirmed on keys[].
 */
static inline int64
cluster_lookup(ClusterTable *t, uint64 key, bool confirm)
{
	uint64		mask = t->index_mask;
	uint64		i = key & mask;
	uint64		tag = (key >> 32) << 32;

	for (;;)
	{
		uint64		b = t->index[i];

		if (b == 0)
			return cluster_slot_new(t, key, i);
		if ((b & ~UINT64CONST(0xffffffff)) == tag)
		{
			int64		s = (int64) (b & UINT64CONST(0xffffffff)) - 1;

			if (!confirm || t->keys[s] == key)
				return s;
		}
		i = (i + 1) & mask;
	}
}

/* The slot of key, created (zeroed) when new, directly (the paths that are not per row). */
static double *
cluster_slot(ClusterTable *t, uint64 key)
{
	int64		s;

	ClusterTableFlush(t);
	/* The cache may hold a queued row's unconfirmed candidate: confirm it. */
	if (t->last_slot >= 0 && t->last_key == key && t->keys[t->last_slot] == key)
		return slot_at(t, t->last_slot);
	s = cluster_lookup(t, key, true);
	t->last_key = key;
	t->last_slot = s;
	return slot_at(t, s);
}

/* Welford's update of slot s by x; a correlation's two variables unrolled (the hot path). */
static inline void
cluster_update(ClusterTable *t, int64 s, const double *x)
{
	double	   *slot = slot_at(t, s);

	if (t->p == 2)
		CoMomentsUpdate(2, slot[0], slot + 1, slot + 3, x, t->scratch);
	else
		CoMomentsUpdate(t->p, slot[0], slot + 1, slot + 1 + t->p, x, t->scratch);
	slot[0] += 1.0;
}

/* Second step of the oldest unresolved queued row: its candidate slot, prefetched. */
static inline void
cluster_queue_resolve(ClusterTable *t)
{
	int			q = (t->head + t->resolved) & (CLUSTER_QUEUE - 1);
	uint64		key = t->queue_key[q];
	int64		s;

	if (t->last_slot >= 0 && t->last_key == key)
		s = t->last_slot;
	else
	{
		s = cluster_lookup(t, key, false);
		t->last_key = key;
		t->last_slot = s;
	}
	t->queue_slot[q] = s;
	t->resolved++;
	/* the key and the slot: one aligned line for a correlation */
	cluster_prefetch(t->data + s * t->sstride);
	if (t->sstride > 8)
		cluster_prefetch(t->data + (s + 1) * t->sstride - 1);
}

/* Last step of the oldest queued row (resolved): confirm its slot, update it. */
static inline void
cluster_queue_apply(ClusterTable *t)
{
	int			q = t->head;
	uint64		key = t->queue_key[q];
	int64		s = t->queue_slot[q];

	if (slot_key(t, s) != key)
	{
		/* Another member's tag (rare): the full lookup; the cache may name that slot too. */
		s = cluster_lookup(t, key, true);
		t->last_slot = -1;
	}
	cluster_update(t, s, t->queue_x + (size_t) q * t->p);
	t->head = (t->head + 1) & (CLUSTER_QUEUE - 1);
	t->queued--;
	t->resolved--;
}

/* Welford's update of the member's slot (comoments.h), through the queue; x finite, length p. */
void
ClusterTableAdd(ClusterTable *t, uint64 key, const double *x)
{
	int			q;

	if (t->queued == CLUSTER_QUEUE)
		cluster_queue_apply(t);
	q = (t->head + t->queued) & (CLUSTER_QUEUE - 1);
	t->queue_key[q] = key;
	if (t->p == 2)
	{
		/* a correlation: no call to memcpy for 16 bytes a row */
		t->queue_x[2 * q] = x[0];
		t->queue_x[2 * q + 1] = x[1];
	}
	else
		memcpy(t->queue_x + (size_t) q * t->p, x, sizeof(double) * t->p);
	t->queued++;
	cluster_prefetch(&t->index[key & t->index_mask]);
	if (t->queued - t->resolved > CLUSTER_LAG)
		cluster_queue_resolve(t);
}

void
ClusterTableFlushQueue(ClusterTable *t)
{
	while (t->queued > 0)
	{
		if (t->resolved == 0)
			cluster_queue_resolve(t);
		cluster_queue_apply(t);
	}
}

/*
 * The member key's slot, checked against (or, new, given) the coarser cluster outer: members
 * must be nested in the clusters, since the variance step sums whole members per cluster.
 */
static double *
cluster_slot_outer(ClusterTable *t, uint64 key, uint64 outer)
{
	int64		before;
	double	   *slot;
	int64		i;

	ClusterTableFlush(t);		/* rows ClusterTableAdd queued count first */
	before = t->count;
	if (!t->has_outer)
	{
		if (t->count > 0 || t->twoway)
			elog(ERROR, "cannot merge per-member moments with and without clusters");
		t->has_outer = true;
		t->outer = MemoryContextAllocHuge(t->cxt, sizeof(uint64) * t->capacity);
	}
	slot = cluster_slot(t, key);
	i = t->last_slot;
	if (t->count > before)
		t->outer[i] = outer;
	else if (t->outer[i] != outer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a member appears in two clusters"),
				 errdetail("Clustered inference by a coarser unit needs every member (the member argument) inside one cluster (the cluster argument)."),
				 errhint("Cluster by a unit that contains the members (e.g. the team of the employee at the time of the survey, one per employee), or make the member the (member, cluster) pair.")));
	return slot;
}

/* As ClusterTableAdd, for a member of the coarser cluster outer. */
void
ClusterTableAddOuter(ClusterTable *t, uint64 key, uint64 outer, const double *x)
{
	double	   *slot = cluster_slot_outer(t, key, outer);

	CoMomentsUpdate(t->p, slot[0], slot + 1, slot + 1 + t->p, x, t->scratch);
	slot[0] += 1.0;
}

/*
 * The slot of the member-x-cluster cell of a two-way table (no nesting check: a member may be
 * in several clusters, that is what two-way clustering is for).
 */
static double *
cluster_slot_twoway(ClusterTable *t, uint64 member, uint64 cluster)
{
	int64		before;
	double	   *slot;

	ClusterTableFlush(t);		/* rows ClusterTableAdd queued count first */
	before = t->count;
	if (!t->twoway)
	{
		if (t->count > 0)
			elog(ERROR, "cannot merge per-member moments of one-way and two-way clustering");
		t->twoway = true;
		t->outer = MemoryContextAllocHuge(t->cxt, sizeof(uint64) * t->capacity);
		t->inner = MemoryContextAllocHuge(t->cxt, sizeof(uint64) * t->capacity);
	}
	slot = cluster_slot(t, hash_combine64(member, cluster));
	if (t->count > before)
	{
		t->outer[before] = cluster;
		t->inner[before] = member;
	}
	return slot;
}

/* As ClusterTableAdd, into the cell of member and cluster (two-way clustering). */
void
ClusterTableAddTwoWay(ClusterTable *t, uint64 member, uint64 cluster, const double *x)
{
	double	   *slot = cluster_slot_twoway(t, member, cluster);

	CoMomentsUpdate(t->p, slot[0], slot + 1, slot + 1 + t->p, x, t->scratch);
	slot[0] += 1.0;
}

/* One slot per distinct keys[i] (i < t->count): the Chan merge of the slots, first-seen order. */
static ClusterTable *
cluster_regroup(MemoryContext parent, const ClusterTable *t, const uint64 *keys)
{
	ClusterTable *c = ClusterTableCreate(parent, t->p);

	for (int64 i = 0; i < t->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		ClusterTableMergeSlot(c, keys[i], ClusterTableSlot(t, i));
	}
	return c;
}

/*
 * The three groupings of a two-way table: returns the table by member (an ordinary per-member
 * table: the guard's members and largest share are exact) pointing at the table by cluster and
 * at t itself (the cells; t must outlive the result).
 */
ClusterTable *
ClusterTableTwoWay(MemoryContext parent, const ClusterTable *t)
{
	ClusterTable *by_member;
	ClusterTable *by_cluster;

	ClusterTableCheckFlushed(t);
	Assert(t->twoway);
	by_member = cluster_regroup(parent, t, t->inner);
	by_cluster = cluster_regroup(parent, t, t->outer);
	by_cluster->by_outer = true;
	by_cluster->member_share = ClusterTableMaxShare(by_member);
	by_cluster->member_count = by_member->count;
	by_member->twoway_by_cluster = by_cluster;
	by_member->twoway_cells = t;
	return by_member;
}

/*
 * The table of the coarser clusters: one slot per cluster, the Chan merge of its members'
 * slots (the cluster's X_g'X_g and X_g'e_g are the sums of its members'), in first-seen order.
 */
ClusterTable *
ClusterTableByOuter(MemoryContext parent, const ClusterTable *t)
{
	ClusterTable *c;

	ClusterTableCheckFlushed(t);
	c = ClusterTableCreate(parent, t->p);
	Assert(t->has_outer);
	for (int64 i = 0; i < t->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		ClusterTableMergeSlot(c, t->outer[i], ClusterTableSlot(t, i));
	}
	c->by_outer = true;
	c->member_share = ClusterTableMaxShare(t);
	c->member_count = t->count;
	return c;
}

void
ClusterSlotMerge(int p, double *dst, const double *src, double *scratch)
{
	if (src[0] == 0.0)
		return;
	if (dst[0] == 0.0)
	{
		memcpy(dst, src, sizeof(double) * (1 + p + p * (p + 1) / 2));
		return;
	}
	CoMomentsMerge(p, dst[0], dst + 1, dst + 1 + p, src[0], src + 1, src + 1 + p, scratch);
	dst[0] += src[0];
}

/* Merge a member's slot (from another state) into its slot here, by key. */
void
ClusterTableMergeSlot(ClusterTable *t, uint64 key, const double *slot)
{
	ClusterSlotMerge(t->p, cluster_slot(t, key), slot, t->scratch);
}

void
ClusterTableMerge(ClusterTable *dst, const ClusterTable *src)
{
	ClusterTableCheckFlushed(src);
	if (src->p != dst->p)
		elog(ERROR, "cannot merge per-member moments of %d and %d variables", dst->p, src->p);
	if ((dst->has_outer != src->has_outer || dst->twoway != src->twoway) &&
		dst->count > 0 && src->count > 0)
		elog(ERROR, "cannot merge per-member moments with and without clusters");
	for (int64 i = 0; i < src->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (src->twoway)
			ClusterSlotMerge(dst->p, cluster_slot_twoway(dst, src->inner[i], src->outer[i]),
							 ClusterTableSlot(src, i), dst->scratch);
		else if (src->has_outer)
			ClusterSlotMerge(dst->p, cluster_slot_outer(dst, src->keys[i], src->outer[i]),
							 ClusterTableSlot(src, i), dst->scratch);
		else
			ClusterTableMergeSlot(dst, src->keys[i], ClusterTableSlot(src, i));
	}
}

/*
 * Wire format (inside an aggregate's serialized state only): a byte (1: with coarser clusters,
 * 2: two-way cells), count, then key, (cluster key, (member key,)) and slot each.
 */
void
ClusterTableSerialize(StringInfo buf, const ClusterTable *t)
{
	ClusterTableCheckFlushed(t);
	pq_sendbyte(buf, t->twoway ? 2 : t->has_outer ? 1 : 0);
	pq_sendint64(buf, t->count);
	for (int64 i = 0; i < t->count; i++)
	{
		const double *slot = ClusterTableSlot(t, i);

		pq_sendint64(buf, t->keys[i]);
		if (t->has_outer || t->twoway)
			pq_sendint64(buf, t->outer[i]);
		if (t->twoway)
			pq_sendint64(buf, t->inner[i]);
		for (int j = 0; j < t->stride; j++)
			pq_sendfloat8(buf, slot[j]);
	}
}

ClusterTable *
ClusterTableDeserialize(StringInfo buf, MemoryContext parent, int p)
{
	ClusterTable *t = ClusterTableCreate(parent, p);
	int			has_outer = pq_getmsgbyte(buf);
	int64		count = pq_getmsgint64(buf);
	double	   *slot = palloc(sizeof(double) * t->stride);

	if (has_outer < 0 || has_outer > 2 ||
		count < 0 || count > (int64) (buf->len - buf->cursor) / (int64) (8 * (1 + has_outer + t->stride)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid per-member moments in aggregate state")));
	for (int64 i = 0; i < count; i++)
	{
		uint64		key = (uint64) pq_getmsgint64(buf);
		uint64		outer = has_outer ? (uint64) pq_getmsgint64(buf) : 0;
		uint64		inner = has_outer == 2 ? (uint64) pq_getmsgint64(buf) : 0;
		double		n;

		for (int j = 0; j < t->stride; j++)
			slot[j] = pq_getmsgfloat8(buf);
		n = slot[0];
		if (!(n >= 1.0 && n <= 9007199254740992.0 && n == floor(n)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid per-member moments in aggregate state")));
		for (int j = 1; j < t->stride; j++)
			if (!isfinite(slot[j]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid per-member moments in aggregate state")));
		if (has_outer == 2)
		{
			/* The cell's key is a function of its member and cluster: check, never trust. */
			if (key != hash_combine64(inner, outer))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid per-member moments in aggregate state")));
			ClusterSlotMerge(p, cluster_slot_twoway(t, inner, outer), slot, t->scratch);
		}
		else if (has_outer)
			ClusterSlotMerge(p, cluster_slot_outer(t, key, outer), slot, t->scratch);
		else
			ClusterTableMergeSlot(t, key, slot);
	}
	pfree(slot);
	return t;
}

/* Distinct members of a table: its slots, or the members behind coarser or two-way slots. */
int64
ClusterTableMembers(const ClusterTable *t)
{
	if (t->by_outer)
		return t->member_count;
	if (t->twoway)
	{
		ClusterTable *m = cluster_regroup(CurrentMemoryContext, t, t->inner);
		int64		n = m->count;

		MemoryContextDelete(m->cxt);
		return n;
	}
	return t->count;
}

double
ClusterTableMaxShare(const ClusterTable *t)
{
	double		total = 0.0,
				max = 0.0;

	ClusterTableCheckFlushed(t);
	if (t->by_outer)
		return t->member_share;
	if (t->twoway)
	{
		/* A member's share is that of all its cells: judge the members, never the cells. */
		ClusterTable *m = cluster_regroup(CurrentMemoryContext, t, t->inner);
		double		share = ClusterTableMaxShare(m);

		MemoryContextDelete(m->cxt);
		return share;
	}
	for (int64 i = 0; i < t->count; i++)
	{
		double		n = ClusterTableSlot(t, i)[0];

		total += n;
		max = Max(max, n);
	}
	return total > 0.0 ? max / total : 0.0;
}

/* --- the cluster summary of merged values ---------------------------------------------------------------------- */

ClusterSummary *
ClusterSummaryCreate(MemoryContext cxt, int p)
{
	ClusterSummary *s = MemoryContextAllocZero(cxt, sizeof(ClusterSummary));

	s->p = p;
	s->r = SUMMARY_R(p);
	s->centre = MemoryContextAllocZero(cxt, sizeof(double) * p);
	s->S = MemoryContextAllocZero(cxt, sizeof(double) * s->r * s->r);
	return s;
}

ClusterSummary *
ClusterSummaryCopy(MemoryContext cxt, const ClusterSummary *src)
{
	ClusterSummary *s = ClusterSummaryCreate(cxt, src->p);

	s->clusters = src->clusters;
	memcpy(s->centre, src->centre, sizeof(double) * src->p);
	memcpy(s->S, src->S, sizeof(double) * src->r * src->r);
	return s;
}

/*
 * Rows of S become rows of K(d) S: the Q rows first (they read the old L and n rows), then
 * the L rows.  Row-major rows are contiguous, so this is a few axpy's per row.
 */
static void
summary_shift_rows(int p, int r, double *S, const double *d)
{
	const double *rn = S;

	for (int i = 0; i < p; i++)
		for (int j = i; j < p; j++)
		{
			double	   *rq = S + (size_t) SUMMARY_Q(p, i, j) * r;
			const double *li = S + (size_t) (1 + i) * r;
			const double *lj = S + (size_t) (1 + j) * r;
			double		di = d[i],
						dj = d[j],
						dd = d[i] * d[j];

			for (int c = 0; c < r; c++)
				rq[c] += dd * rn[c] - dj * li[c] - di * lj[c];
		}
	for (int i = 0; i < p; i++)
	{
		double	   *li = S + (size_t) (1 + i) * r;

		for (int c = 0; c < r; c++)
			li[c] -= d[i] * rn[c];
	}
}

/* Move the centre of s to c: S <- K(d) S K(d)', d = c - centre (exact up to rounding). */
void
ClusterSummaryRecentre(ClusterSummary *s, const double *c)
{
	const int	p = s->p,
				r = s->r;
	double		d[MOMENTS_SUMMARY_MAX_DIM];
	bool		zero = true;

	for (int i = 0; i < p; i++)
	{
		d[i] = c[i] - s->centre[i];
		zero = zero && d[i] == 0.0;
	}
	if (zero)
		return;
	/* K S, transposed (S is symmetric, so (K S)' = S K'), then K (S K') = K S K'. */
	summary_shift_rows(p, r, s->S, d);
	for (int a = 0; a < r; a++)
		for (int b = a + 1; b < r; b++)
		{
			double		t = s->S[a * r + b];

			s->S[a * r + b] = s->S[b * r + a];
			s->S[b * r + a] = t;
		}
	summary_shift_rows(p, r, s->S, d);
	/* Symmetrize the rounding. */
	for (int a = 0; a < r; a++)
		for (int b = a + 1; b < r; b++)
		{
			double		t = 0.5 * (s->S[a * r + b] + s->S[b * r + a]);

			s->S[a * r + b] = s->S[b * r + a] = t;
		}
	memcpy(s->centre, c, sizeof(double) * p);
}

/*
 * G of a sum of summaries.  Counts come from untrusted values too: a sum beyond what a value
 * stores exactly is refused, as MomentsCombine refuses a row count that does not fit.
 */
static void
summary_add_clusters(ClusterSummary *s, int64 G)
{
	if (G < 0 || G > MOMENTS_MAX_CLUSTERS - s->clusters)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("exlink moments cluster count out of range")));
	s->clusters += G;
}

/* dst += src (members disjoint), src moved to dst's centre on a copy. */
void
ClusterSummaryAdd(ClusterSummary *dst, const ClusterSummary *src)
{
	const int	rr = dst->r * dst->r;
	ClusterSummary *t = ClusterSummaryCopy(CurrentMemoryContext, src);

	ClusterSummaryRecentre(t, dst->centre);
	for (int a = 0; a < rr; a++)
		dst->S[a] += t->S[a];
	summary_add_clusters(dst, t->clusters);
	pfree(t->S);
	pfree(t->centre);
	pfree(t);
}

/* The summary of a per-member table at centre c: S = sum_g w_g(c) w_g(c)'. */
ClusterSummary *
ClusterSummaryFromTable(MemoryContext cxt, const ClusterTable *t, const double *c)
{
	const int	p = t->p;
	ClusterSummary *s = ClusterSummaryCreate(cxt, p);
	const int	r = s->r;
	double	   *w = palloc(sizeof(double) * r);
	double	   *d = palloc(sizeof(double) * p);

	memcpy(s->centre, c, sizeof(double) * p);
	s->clusters = t->count;
	for (int64 g = 0; g < t->count; g++)
	{
		const double *slot = ClusterTableSlot(t, g);
		double		ng = slot[0];
		const double *cg = slot + 1 + p;
		int			k = 0;

		CHECK_FOR_INTERRUPTS();
		w[0] = ng;
		for (int i = 0; i < p; i++)
		{
			d[i] = slot[1 + i] - c[i];
			w[1 + i] = ng * d[i];
		}
		for (int i = 0; i < p; i++)
			for (int j = i; j < p; j++, k++)
				w[1 + p + k] = cg[k] + ng * d[i] * d[j];
		for (int a = 0; a < r; a++)
		{
			double		wa = w[a];
			double	   *row = s->S + (size_t) a * r;

			for (int b = a; b < r; b++)
				row[b] += wa * w[b];
		}
	}
	for (int a = 0; a < r; a++)
		for (int b = a + 1; b < r; b++)
			s->S[b * r + a] = s->S[a * r + b];
	pfree(w);
	pfree(d);
	return s;
}

/*
 * Add a value's packed summary (tri(r) doubles, centred at the value's means vc, G clusters)
 * into s: S_s += K(d) S_v K(d)' with d = s->centre - vc, in one pass over the packed triangle
 * after the row step (T = K S_v on a full scratch copy): (T K')_ab = T_ab + the column step of
 * b, at most three more terms.  The hot loop of exlink.merge over cells with summaries.
 */
void
ClusterSummaryAddPacked(ClusterSummary *s, const double *packed, int64 G, const double *vc)
{
	const int	p = s->p,
				r = s->r;
	double		d[MOMENTS_SUMMARY_MAX_DIM];
	bool		zero = true;
	double	   *T;
	int			k = 0;

	for (int i = 0; i < p; i++)
	{
		d[i] = s->centre[i] - vc[i];
		zero = zero && d[i] == 0.0;
	}
	summary_add_clusters(s, G);
	if (zero)
	{
		for (int a = 0; a < r; a++)
			for (int b = a; b < r; b++, k++)
			{
				s->S[a * r + b] += packed[k];
				if (b != a)
					s->S[b * r + a] += packed[k];
			}
		return;
	}
	if (s->work == NULL)
		s->work = MemoryContextAlloc(GetMemoryChunkContext(s->S), sizeof(double) * r * r);
	T = s->work;
	for (int a = 0; a < r; a++)
		for (int b = a; b < r; b++, k++)
			T[a * r + b] = T[b * r + a] = packed[k];
	summary_shift_rows(p, r, T, d);
	{
		/* Column step of each column b: S'_ab = T_ab + c1 T_a,l1 + c2 T_a,l2 + cn T_a,0. */
		int			l1[SUMMARY_R(MOMENTS_SUMMARY_MAX_DIM)];
		int			l2[SUMMARY_R(MOMENTS_SUMMARY_MAX_DIM)];
		double		c1[SUMMARY_R(MOMENTS_SUMMARY_MAX_DIM)];
		double		c2[SUMMARY_R(MOMENTS_SUMMARY_MAX_DIM)];
		double		cn[SUMMARY_R(MOMENTS_SUMMARY_MAX_DIM)];

		l1[0] = l2[0] = 0;
		c1[0] = c2[0] = cn[0] = 0.0;
		for (int i = 0; i < p; i++)
		{
			l1[1 + i] = l2[1 + i] = 0;
			c1[1 + i] = c2[1 + i] = 0.0;
			cn[1 + i] = -d[i];
			for (int j = i; j < p; j++)
			{
				int			b = SUMMARY_Q(p, i, j);

				l1[b] = 1 + i;
				c1[b] = -d[j];
				l2[b] = 1 + j;
				c2[b] = -d[i];
				cn[b] = d[i] * d[j];
			}
		}
		for (int a = 0; a < r; a++)
		{
			const double *ta = T + (size_t) a * r;
			double	   *sa = s->S + (size_t) a * r;

			for (int b = a; b < r; b++)
			{
				double		v = ta[b] + c1[b] * ta[l1[b]] + c2[b] * ta[l2[b]] + cn[b] * ta[0];

				sa[b] += v;
				if (b != a)
					s->S[(size_t) b * r + a] += v;
			}
		}
	}
}
