/* heavy_members.h: a mergeable bound on the largest member's share of a group's rows. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_HEAVY_MEMBERS_H
#define EXLINK_HEAVY_MEMBERS_H

#include "lib/stringinfo.h"

/* Counters kept: exact while a group has at most this many members, else within rows / 33. */
#define HEAVY_SLOTS 32

/*
 * A Misra-Gries summary of the member hashes of a group's rows, kept so that the release policy
 * knows an UPPER bound on the rows of the group's largest member (the dominance rule) without
 * per-member moments.  Every row adds its member; a member not in a full table makes every
 * counter (its own included) lose one, and `decrements` counts those steps.  Then for every
 * member x with f(x) rows: count(x) <= f(x) <= count(x) + decrements (count 0 when not kept), so
 * max count + decrements bounds the largest member from above, and the bound is exact while the
 * group has at most HEAVY_SLOTS members.  Each decrement step removes HEAVY_SLOTS + 1 row units
 * from the counters, so decrements <= rows / (HEAVY_SLOTS + 1): a group in which no member holds
 * more than the limit minus 3 % of the rows is never refused for want of precision.  A 64-bit
 * hash collision can only merge two members into a larger one: more refusals, never fewer.
 *
 * Merge (Agarwal et al., "Mergeable summaries", 2012): add the counters key by key; when more
 * than HEAVY_SLOTS remain, subtract the (HEAVY_SLOTS + 1)-th largest count t from all, drop the
 * non-positive ones and add t to decrements (plus both inputs' decrements).  The bound above
 * still holds: f = f_a + f_b <= c_a + c_b + D_a + D_b <= c + t + D_a + D_b.
 *
 * Fixed size, no allocation: it lives inside the state that embeds it.
 */
typedef struct HeavyMembers
{
	int64		rows;			/* rows added (over every merge) */
	int64		decrements;		/* D: the most any member's count is below its rows */
	int32		used;			/* counters in use */
	int32		last;			/* index of the last member added, -1 = none (a cache) */
	uint64		present[4];		/* bit (key >> 56) of every kept key: most rows of a new member
								 * are found absent without scanning the counters */
	uint64		keys[HEAVY_SLOTS];
	int64		counts[HEAVY_SLOTS];
} HeavyMembers;

/*
 * A member's key in the summary: a cheap 64-bit hash of its bytes (words mixed by multiply and
 * xor-shift, then MurmurHash3's 64-bit finalizer), not MemberHash.  The summary sees every row,
 * also once the member count is proven and MemberHash (hash_bytes_extended, some 95
 * instructions a row) is no longer needed for it; this costs about 20.  Keys never leave one
 * query (the summary travels only in aggregate states between workers of one build; no SQL
 * value or table holds it), so they need not match MemberHash or be stable across versions.  A
 * collision only merges two members into a larger one: more refusals, never fewer.  Not a
 * keyed or cryptographic hash: an input crafted to collide can only suppress more.
 */
static inline uint64
HeavyMembersKey(const char *data, int len)
{
	const uint64 mul = UINT64CONST(0x9e3779b97f4a7c15);
	uint64		h = mul ^ (uint64) len;
	uint64		w;

	/*
	 * Whole words, then the last 8 bytes (overlapping the words read: given the length, the
	 * words read still determine the bytes); below 8 bytes, two overlapping 4-byte reads or 3
	 * single bytes, which again cover every byte.  No loop over bytes, no call.
	 */
	if (len >= 8)
	{
		int			rest = len;
		const char *p = data;

		for (; rest > 8; p += 8, rest -= 8)
		{
			memcpy(&w, p, 8);
			h = (h ^ w) * mul;
			h ^= h >> 29;
		}
		memcpy(&w, data + len - 8, 8);
	}
	else if (len >= 4)
	{
		uint32		a;
		uint32		b;

		memcpy(&a, data, 4);
		memcpy(&b, data + len - 4, 4);
		w = (uint64) a | ((uint64) b << 32);
	}
	else if (len > 0)
		w = (uint64) (unsigned char) data[0] | ((uint64) (unsigned char) data[len / 2] << 8) |
			((uint64) (unsigned char) data[len - 1] << 16);
	else
		w = 0;
	h = (h ^ w) * mul;
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

extern void HeavyMembersInit(HeavyMembers *h);
extern void HeavyMembersAdd(HeavyMembers *h, uint64 key);
extern void HeavyMembersMerge(HeavyMembers *dst, const HeavyMembers *src);
extern void HeavyMembersSerialize(StringInfo buf, const HeavyMembers *h);
extern void HeavyMembersDeserialize(StringInfo buf, HeavyMembers *h);

/* Upper bound on the largest member's share of the rows, in [0, 1]; 0 when there are no rows. */
extern double HeavyMembersShareBound(const HeavyMembers *h);

#endif
