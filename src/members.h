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

/*
 * A member's key in a per-member table (ExlinkMemberKey): wyhash (Wang Yi's, the final
 * version's short-input path and 48-byte loop; public domain), not MemberHash.  Why: a
 * clustered aggregate hashes every row's member, and hash_bytes_extended (some 95 instructions)
 * was 7 % of linked_correlation's CPU with a member (bench case 21); this is two or three
 * 64 x 64 -> 128-bit multiplies for a key of up to 16 bytes, four loads, no loop, no call.
 * Quality: wyhash passes SMHasher, and the length enters the last mix (HeavyMembersKey does
 * not mix it in enough for this: "2" and "12" collide there).  The keys stay in one query
 * (aggregate states between workers of one build, never an SQL value), so they need not match
 * MemberHash or be stable across versions or byte orders; they are never compared with
 * MemberHash values.  A collision merges two members: more refusals, never fewer.
 */
#ifdef PG_INT128_TYPE
static inline uint64
member_key_mix(uint64 a, uint64 b, uint64 *hi)
{
	unsigned PG_INT128_TYPE r = (unsigned PG_INT128_TYPE) a * b;

	*hi = (uint64) (r >> 64);
	return (uint64) r;
}

static inline uint64
member_key_r8(const unsigned char *p)
{
	uint64		v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64
member_key_r4(const unsigned char *p)
{
	uint32		v;

	memcpy(&v, p, 4);
	return v;
}
#endif

static inline uint64
MemberKeyHash(const char *data, int len)
{
#ifdef PG_INT128_TYPE
	static const uint64 s0 = UINT64CONST(0x2d358dccaa6c78a5),
				s1 = UINT64CONST(0x8bb84b93962eacc9),
				s2 = UINT64CONST(0x4b33a62ed433d4a3),
				s3 = UINT64CONST(0x4d5a2da51de1aa47);
	const unsigned char *p = (const unsigned char *) data;
	uint64		seed = UINT64CONST(0x65786c696e6b0002);
	uint64		a,
				b,
				hi;

	a = member_key_mix(seed ^ s0, s1, &hi);
	seed ^= a ^ hi;
	if (len <= 16)
	{
		if (len >= 4)
		{
			a = (member_key_r4(p) << 32) | member_key_r4(p + ((len >> 3) << 2));
			b = (member_key_r4(p + len - 4) << 32) | member_key_r4(p + len - 4 - ((len >> 3) << 2));
		}
		else if (len > 0)
		{
			a = ((uint64) p[0] << 16) | ((uint64) p[len >> 1] << 8) | p[len - 1];
			b = 0;
		}
		else
			a = b = 0;
	}
	else
	{
		int			i = len;

		if (i >= 48)
		{
			uint64		see1 = seed,
						see2 = seed;

			do
			{
				a = member_key_mix(member_key_r8(p) ^ s1, member_key_r8(p + 8) ^ seed, &hi);
				seed = a ^ hi;
				a = member_key_mix(member_key_r8(p + 16) ^ s2, member_key_r8(p + 24) ^ see1, &hi);
				see1 = a ^ hi;
				a = member_key_mix(member_key_r8(p + 32) ^ s3, member_key_r8(p + 40) ^ see2, &hi);
				see2 = a ^ hi;
				p += 48;
				i -= 48;
			} while (i >= 48);
			seed ^= see1 ^ see2;
		}
		while (i > 16)
		{
			a = member_key_mix(member_key_r8(p) ^ s1, member_key_r8(p + 8) ^ seed, &hi);
			seed = a ^ hi;
			i -= 16;
			p += 16;
		}
		a = member_key_r8(p + i - 16);
		b = member_key_r8(p + i - 8);
	}
	a = member_key_mix(a ^ s1, b ^ seed, &b);
	a = member_key_mix(a ^ s0 ^ (uint64) len, b ^ s1, &hi);
	return a ^ hi;
#else
	return MemberHash(data, len);
#endif
}
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
