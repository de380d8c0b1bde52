/* members.c: exact distinct-member counting up to a cap (simplehash of 64-bit hashes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

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

/* The exact count only (no row): MemberSetAdd's second half, merge's and deserialization's. */
void
MemberSetInsert(MemberSet *set, MemoryContext cxt, uint64 hash)
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

void
MemberSetAddHashed(MemberSet *set, MemoryContext cxt, const char *data, int len, uint64 hash)
{
	HeavyMembersAdd(&set->heavy, HeavyMembersKey(data, len));
	MemberSetInsert(set, cxt, hash);
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
		MemberSetInsert(dst, cxt, e->hash);
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
		MemberSetInsert(set, cxt, (uint64) pq_getmsgint64(buf));
	if (set->count != count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid member set in aggregate state"),
				 errdetail("The set holds repeated members.")));
}
