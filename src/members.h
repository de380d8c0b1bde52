/* members.h: exact distinct-member counting up to a cap, for the k-anonymity guard. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_MEMBERS_H
#define EXLINK_MEMBERS_H

#include "lib/stringinfo.h"

#include "heavy_members.h"

/*
 * The most distinct members any state counts exactly.  Beyond it a count reads "at least
 * MEMBERS_CAP" and the hashes are dropped, so memory stays O(cap) whatever the input size.
 * exlink.min_group_size may not exceed it.
 */
#define MEMBERS_CAP 1000

struct members_hash;

/*
 * A set of 64-bit member hashes (hash_bytes_extended of the member's bytes).  Contract:
 * every allocation happens in the MemoryContext passed in (the aggregate's context); once the
 * count reaches the cap the table is freed and only "count = cap" remains.  A 64-bit hash
 * collision can only make the count smaller, i.e. suppress more, never less.
 */
typedef struct MemberSet
{
	int32		cap;			/* count exactly up to this many members */
	int32		count;			/* distinct members seen, <= cap */
	struct members_hash *table; /* NULL when empty or when count == cap */
	HeavyMembers heavy;			/* every row's member, also past the cap: the dominance fact */
} MemberSet;

extern void MemberSetInit(MemberSet *set, int32 cap);
extern uint64 MemberHash(const char *data, int len);
extern void MemberSetInsert(MemberSet *set, MemoryContext cxt, uint64 hash);
extern void MemberSetAddHashed(MemberSet *set, MemoryContext cxt, const char *data, int len, uint64 hash);
extern void MemberSetMerge(MemberSet *dst, const MemberSet *src, MemoryContext cxt);
extern void MemberSetSerialize(StringInfo buf, const MemberSet *set);
extern void MemberSetDeserialize(StringInfo buf, MemberSet *set, MemoryContext cxt);

/*
 * MemberSetAdd is called once per row with the member's bytes (also once the count is proven:
 * the dominance bound needs every row, keyed by HeavyMembersKey); it computes MemberHash only
 * while the count is not proven.  MemberSetAddHashed: the same for a caller that needs the
 * member's MemberHash anyway (per-member state) and passes it.  MemberSetShareBound: an upper bound on the largest member's share of the rows
 * added (heavy_members.h), 0 when none.
 */
static inline double
MemberSetShareBound(const MemberSet *set)
{
	return HeavyMembersShareBound(&set->heavy);
}

static inline bool
MemberSetFull(const MemberSet *set)
{
	return set->count >= set->cap;
}

/*
 * One row of a member: the share bound always (its own cheap key), the exact count until the
 * cap, so that past the cap a row costs no MemberHash (0.2.0 skipped such rows altogether).
 * Inline: it is the per-row path of every guarded aggregate.
 */
static inline void
MemberSetAdd(MemberSet *set, MemoryContext cxt, const char *data, int len)
{
	HeavyMembersAdd(&set->heavy, HeavyMembersKey(data, len));
	if (!MemberSetFull(set))
		MemberSetInsert(set, cxt, MemberHash(data, len));
}

#endif
