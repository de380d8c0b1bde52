/* members.c: exact distinct-member counting up to a cap (simplehash of 64-bit hashes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "comoments.h"
#include "members.h"

typedef struct MemberEntry
{
	uint64		hash;
	char		status;
} MemberEntry;

#define SH_PREFIX members
#define SH_ELEMENT_TYPE MemberEntry
#define SH_KEY_TYPE uint64
#define SH_KEY hash
#define SH_HASH_KEY(tb, key) ((uint32) ((key) ^ ((key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"


void
MemberSetInit(MemberSet *set, int32 cap)
{
	Assert(cap >= 1 && cap <= MEMBERS_CAP);
	set->cap = cap;
	set->count = 0;
	set->table = NULL;
	HeavyMembersInit(&set->heavy);
}

uint64
MemberHash(const char *data, int len)
{
	/* A fixed seed: counts must not depend on the backend or the run. */
	return hash_bytes_extended((const unsigned char *) data, len, UINT64CONST(0x65786c696e6b0001));
}

/* The exact count only (no row): MemberSetAdd's first half, and deserialization's. */
static void
member_set_insert(MemberSet *set, MemoryContext cxt, uint64 hash)
{
	bool		found;

	if (MemberSetFull(set))
		return;
	if (set->table == NULL)
		set->table = members_create(cxt, 16, NULL);
	members_insert(set->table, hash, &found);
	if (!found && ++set->count >= set->cap)
	{
		/* Proven: drop the hashes, keep only "at least cap". */
		members_destroy(set->table);
		set->table = NULL;
	}
}

/* One row of a member: the exact count until the cap, the share bound always. */
void
MemberSetAdd(MemberSet *set, MemoryContext cxt, uint64 hash)
{
	HeavyMembersAdd(&set->heavy, hash);
	member_set_insert(set, cxt, hash);
}

void
MemberSetMerge(MemberSet *dst, const MemberSet *src, MemoryContext cxt)
{
	members_iterator it;
	MemberEntry *e;

	if (src->cap != dst->cap)
		elog(ERROR, "cannot merge member sets with different caps (%d and %d)", dst->cap, src->cap);
	HeavyMembersMerge(&dst->heavy, &src->heavy);
	if (MemberSetFull(dst))
		return;
	if (MemberSetFull(src))
	{
		if (dst->table)
			members_destroy(dst->table);
		dst->table = NULL;
		dst->count = dst->cap;
		return;
	}
	if (src->table == NULL)
		return;
	members_start_iterate(src->table, &it);
	while ((e = members_iterate(src->table, &it)) != NULL && !MemberSetFull(dst))
		member_set_insert(dst, cxt, e->hash);
}

/* Wire format (inside an aggregate's serialized state only, never a SQL value). */
void
MemberSetSerialize(StringInfo buf, const MemberSet *set)
{
	HeavyMembersSerialize(buf, &set->heavy);
	pq_sendint32(buf, set->cap);
	pq_sendint32(buf, set->count);
	if (!MemberSetFull(set) && set->count > 0)
	{
		members_iterator it;
		MemberEntry *e;

		members_start_iterate(set->table, &it);
		while ((e = members_iterate(set->table, &it)) != NULL)
			pq_sendint64(buf, e->hash);
	}
}

void
MemberSetDeserialize(StringInfo buf, MemberSet *set, MemoryContext cxt)
{
	HeavyMembers heavy;
	int32		cap;
	int32		count;

	HeavyMembersDeserialize(buf, &heavy);
	cap = pq_getmsgint(buf, 4);
	count = pq_getmsgint(buf, 4);
	if (cap < 1 || cap > MEMBERS_CAP || count < 0 || count > cap)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid member set in aggregate state")));
	MemberSetInit(set, cap);
	set->heavy = heavy;
	if (count == cap)
	{
		set->count = cap;
		return;
	}
	for (int32 i = 0; i < count; i++)
		member_set_insert(set, cxt, (uint64) pq_getmsgint64(buf));
	if (set->count != count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid member set in aggregate state"),
				 errdetail("The set holds repeated members.")));
}


/* --- per-member moments for cluster-robust inference ------------------------------------ */

typedef struct ClusterEntry
{
	uint64		key;
	int64		slot;
	char		status;
} ClusterEntry;

#define SH_PREFIX clusters
#define SH_ELEMENT_TYPE ClusterEntry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, key) ((uint32) ((key) ^ ((key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

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
	t->capacity = 8;
	t->data = MemoryContextAllocHuge(cxt, sizeof(double) * t->capacity * t->stride);
	t->keys = MemoryContextAllocHuge(cxt, sizeof(uint64) * t->capacity);
	t->hash = clusters_create(cxt, 8, NULL);
	t->scratch = MemoryContextAlloc(cxt, sizeof(double) * p);
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

/* The slot of key, created (zeroed) when new; 54000 past cluster_member_limit. */
static double *
cluster_slot(ClusterTable *t, uint64 key)
{
	ClusterEntry *e;
	bool		found;

	if (t->last_slot != NULL && t->last_key == key)
		return t->last_slot;
	e = clusters_insert(t->hash, key, &found);
	if (!found)
	{
		int64		limit = cluster_member_limit(t);

		if (t->count >= limit)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct members for cluster-robust inference"),
					 errdetail("A group has more than " INT64_FORMAT " distinct members (exlink.max_cluster_members, scaled down above 16 variables to the same memory); each costs about %d bytes of memory here.",
							   limit, (int) (t->stride * sizeof(double) + 32)),
					 errhint("Raise exlink.max_cluster_members, or ask for inference => 'independent' if the rows are independent.")));
		if (t->count == t->capacity)
		{
			t->capacity *= 2;
			t->data = repalloc_huge(t->data, sizeof(double) * t->capacity * t->stride);
			t->keys = repalloc_huge(t->keys, sizeof(uint64) * t->capacity);
		}
		e->slot = t->count;
		t->keys[t->count] = key;
		memset(ClusterTableSlot(t, t->count), 0, sizeof(double) * t->stride);
		t->count++;
	}
	t->last_key = key;
	t->last_slot = ClusterTableSlot(t, e->slot);
	return t->last_slot;
}

/* Welford's update of the member's slot (comoments.h); x finite, length p. */
void
ClusterTableAdd(ClusterTable *t, uint64 key, const double *x)
{
	double	   *slot = cluster_slot(t, key);

	CoMomentsUpdate(t->p, slot[0], slot + 1, slot + 1 + t->p, x, t->scratch);
	slot[0] += 1.0;
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
	if (src->p != dst->p)
		elog(ERROR, "cannot merge per-member moments of %d and %d variables", dst->p, src->p);
	for (int64 i = 0; i < src->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		ClusterTableMergeSlot(dst, src->keys[i], ClusterTableSlot(src, i));
	}
}

/* Wire format (inside an aggregate's serialized state only): count, then key and slot each. */
void
ClusterTableSerialize(StringInfo buf, const ClusterTable *t)
{
	pq_sendint64(buf, t->count);
	for (int64 i = 0; i < t->count; i++)
	{
		const double *slot = ClusterTableSlot(t, i);

		pq_sendint64(buf, t->keys[i]);
		for (int j = 0; j < t->stride; j++)
			pq_sendfloat8(buf, slot[j]);
	}
}

ClusterTable *
ClusterTableDeserialize(StringInfo buf, MemoryContext parent, int p)
{
	ClusterTable *t = ClusterTableCreate(parent, p);
	int64		count = pq_getmsgint64(buf);
	double	   *slot = palloc(sizeof(double) * t->stride);

	if (count < 0 || count > (int64) (buf->len - buf->cursor) / (int64) (8 * (1 + t->stride)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid per-member moments in aggregate state")));
	for (int64 i = 0; i < count; i++)
	{
		uint64		key = (uint64) pq_getmsgint64(buf);
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
		ClusterTableMergeSlot(t, key, slot);
	}
	pfree(slot);
	return t;
}

double
ClusterTableMaxShare(const ClusterTable *t)
{
	double		total = 0.0,
				max = 0.0;

	for (int64 i = 0; i < t->count; i++)
	{
		double		n = ClusterTableSlot(t, i)[0];

		total += n;
		max = Max(max, n);
	}
	return total > 0.0 ? max / total : 0.0;
}
