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
extern void MemberSetAdd(MemberSet *set, MemoryContext cxt, uint64 hash);
extern void MemberSetMerge(MemberSet *dst, const MemberSet *src, MemoryContext cxt);
extern void MemberSetSerialize(StringInfo buf, const MemberSet *set);
extern void MemberSetDeserialize(StringInfo buf, MemberSet *set, MemoryContext cxt);

/*
 * MemberSetAdd is called once per row (also once the count is proven: the dominance bound needs
 * every row).  MemberSetShareBound: an upper bound on the largest member's share of the rows
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
 * ClusterTable: the moments of each distinct member (employee), for cluster-robust inference.
 *
 * Keyed by the member's 64-bit MemberHash (a collision merges two members into one cluster:
 * with 64-bit hashes, about 1e-11 for 20,000 members; documented).  Per member it keeps
 * n_g, the member's means and its co-moments centred at those means (Welford), so the scores
 * of any regression on these variables can be formed exactly at the end, whatever the offset
 * of the data (uncentred sums lose everything to cancellation at an offset of 1e4).
 *
 * Memory contract: the table, its hash and its data live in a child context of the context
 * passed to ClusterTableCreate (the aggregate context), so memory grows with the number of
 * distinct members, never with rows: 8 * (2 + p + p(p+1)/2) bytes per member plus the hash
 * entry (about 16 bytes), e.g. 650 bytes for an outcome and 10 drivers.  Past
 * exlink.max_cluster_members members an insert raises 54000 with a hint.
 *
 * Layout of one member's slot (stride doubles): n, mean[p], comoment[tri(p)] (the packed
 * upper triangle, as in Moments).  Slots are in insertion order, so iteration (combine,
 * serialization, final) is deterministic.
 */
struct clusters_hash;

typedef struct ClusterTable
{
	MemoryContext cxt;			/* child of the aggregate context; everything lives here */
	int			p;				/* variables per member */
	int			stride;			/* doubles per slot: 1 + p + tri(p) */
	int64		count;			/* distinct members */
	int64		capacity;		/* slots allocated */
	double	   *data;			/* [capacity * stride] */
	uint64	   *keys;			/* [capacity]: the member hash of each slot */
	struct clusters_hash *hash; /* member hash -> slot */
	uint64		last_key;		/* one-entry cache: consecutive rows of one member */
	double	   *last_slot;
	double	   *scratch;		/* [p] */
} ClusterTable;

/* The exlink.max_cluster_members setting (exlink.c). */
extern int	ExlinkMaxClusterMembers(void);

extern ClusterTable *ClusterTableCreate(MemoryContext parent, int p);
extern void ClusterTableAdd(ClusterTable *t, uint64 key, const double *x);
extern void ClusterTableMergeSlot(ClusterTable *t, uint64 key, const double *slot);
extern void ClusterTableMerge(ClusterTable *dst, const ClusterTable *src);
extern void ClusterTableSerialize(StringInfo buf, const ClusterTable *t);
extern ClusterTable *ClusterTableDeserialize(StringInfo buf, MemoryContext parent, int p);
extern double ClusterTableMaxShare(const ClusterTable *t);	/* max_g n_g / n; 0 when empty */

/*
 * Chan-Golub-LeVeque merge of one slot (n, mean[p], comoment[tri(p)]) into another; scratch
 * holds p doubles.  The same arithmetic as MomentsCombine.
 */
extern void ClusterSlotMerge(int p, double *dst, const double *src, double *scratch);

static inline double *
ClusterTableSlot(const ClusterTable *t, int64 i)
{
	return t->data + i * t->stride;
}

#endif
