/* clusters.h: the per-member table (rows with members) and the cluster summary (merged values). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_CLUSTERS_H
#define EXLINK_CLUSTERS_H

#include "lib/stringinfo.h"

#include "comoments.h"

/*
 * What clustered inference keeps of the members behind a group: their moments, one slot each
 * (ClusterTable, in an aggregate's state), or the fixed-size summary of their fourth-order
 * sums (ClusterSummary, in a merged exlink.moments value).  The variance step that reads them
 * is cluster_variance.h.
 */

/*
 * ClusterTable: the moments of each distinct member (employee), for cluster-robust inference.
 *
 * Keyed by a 64-bit hash of the member (MemberKeyHash from the aggregates' rows, MemberHash
 * from rank pairs; a collision merges two members into one cluster: with 64-bit hashes, about
 * 1e-11 for 20,000 members; documented).  Per member it keeps
 * n_g, the member's means and its co-moments centred at those means (Welford), so the scores
 * of any regression on these variables can be formed exactly at the end, whatever the offset
 * of the data (uncentred sums lose everything to cancellation at an offset of 1e4).
 *
 * Memory contract: the table, its index and its data live in a child context of the context
 * passed to ClusterTableCreate (the aggregate context), so memory grows with the number of
 * distinct members, never with rows: 8 * (3 + p + p(p+1)/2) bytes per member (the slot, its
 * key in memory and in keys[]; 72 for a correlation, whose slot is padded to a cache line) plus
 * the index (8-byte buckets, at most half full: 16 to 32 bytes per member), e.g. 660 bytes for
 * an outcome and 10 drivers.  Past
 * exlink.max_cluster_members members an insert raises 54000 with a hint.
 *
 * Layout of one member's slot (stride doubles): n, mean[p], comoment[tri(p)] (the packed
 * upper triangle, as in Moments).  Slots are in insertion order, so iteration (combine,
 * serialization, final) is deterministic.  In memory each slot follows its member's key (one
 * double's room) and is padded to 8 doubles when key and slot fit in them (a correlation's 1 +
 * 6), in a block aligned to 64 bytes: the per-row path then touches one cache line for the
 * member (clusters.c).
 */
/* Rows between a row's index prefetch, its slot prefetch and its update (clusters.c); 2 * CLUSTER_LAG is a power of 2. */
#define CLUSTER_LAG 16

typedef struct ClusterTable
{
	MemoryContext cxt;			/* child of the aggregate context; everything lives here */
	int			p;				/* variables per member */
	int			stride;			/* doubles per slot: 1 + p + tri(p) */
	int			sstride;		/* doubles per slot in memory: the key, the slot, padding */
	int64		count;			/* distinct members */
	int64		capacity;		/* slots allocated */
	double	   *data;			/* [capacity * sstride], 64-byte aligned */
	void	   *data_block;		/* the allocation data lives in */
	uint64	   *keys;			/* [capacity]: the member hash of each slot */
	uint64	   *index;			/* member hash -> slot: [index_mask + 1] buckets (clusters.c) */
	uint64		index_mask;
	uint64		last_key;		/* one-entry cache: consecutive rows of one member */
	int64		last_slot;		/* its slot, -1 when none */
	double	   *scratch;		/* [p] */

	/*
	 * Rows queued by ClusterTableAdd, not yet in their slots (clusters.c: the prefetch
	 * pipeline).  ClusterTableFlush empties the queue; every reader of the slots or the count
	 * runs after it (the Moments functions that hand a table out call it first).
	 */
	int			queued;			/* rows in the queue, at most 2 * CLUSTER_LAG */
	int			resolved;		/* of those, the oldest this many have a candidate slot */
	int			head;			/* queue position of the oldest */
	uint64		queue_key[2 * CLUSTER_LAG];
	int64		queue_slot[2 * CLUSTER_LAG];
	double	   *queue_x;		/* [2 * CLUSTER_LAG * p] */

	/*
	 * Coarser clusters (driver_weights' cluster argument, e.g. a team): outer[i] is the hash
	 * of the cluster of member slot i (a member in two clusters is refused, 22023).
	 * ClusterTableByOuter regroups the members into one slot per cluster for the variance
	 * step; such a table keeps the members' largest row share in member_share and their count in member_count
	 * (the guard judges members) and has by_outer set.
	 */
	bool		has_outer;
	uint64	   *outer;			/* [capacity] when has_outer */
	bool		by_outer;
	double		member_share;
	int64		member_count;

	/*
	 * Two-way clustering by member and cluster (inference => 'twoway', members not nested in
	 * clusters): each slot is a member-x-cluster cell (key: hash_combine64 of the two hashes),
	 * outer[i] its cluster and inner[i] its member.  ClusterTableTwoWay regroups the cells into
	 * the table by member (what the guard and MomentsClusters see) and points it at the table
	 * by cluster (twoway_by_cluster) and at the cells (twoway_cells), the three groupings the
	 * Cameron-Gelbach-Miller variance sums (cluster_variance.c).
	 */
	bool		twoway;
	uint64	   *inner;			/* [capacity] when twoway */
	const struct ClusterTable *twoway_by_cluster;
	const struct ClusterTable *twoway_cells;

	/*
	 * Slots that are clusters of published cells (exlink.driver_weights_cells), set on the
	 * resolved copy only: the release decision is that of moments values (the cells' member
	 * bound, member_count), never of slots as members.
	 */
	bool		of_values;
} ClusterTable;

/* The exlink.max_cluster_members setting (exlink.c). */
extern int	ExlinkMaxClusterMembers(void);

extern ClusterTable *ClusterTableCreate(MemoryContext parent, int p);
extern void ClusterTableAdd(ClusterTable *t, uint64 key, const double *x);
extern void ClusterTableFlushQueue(ClusterTable *t);
extern void ClusterTableAddOuter(ClusterTable *t, uint64 key, uint64 outer, const double *x);
extern ClusterTable *ClusterTableByOuter(MemoryContext parent, const ClusterTable *t);
extern void ClusterTableAddTwoWay(ClusterTable *t, uint64 member, uint64 cluster, const double *x);
extern ClusterTable *ClusterTableTwoWay(MemoryContext parent, const ClusterTable *t);
extern void ClusterTableMergeSlot(ClusterTable *t, uint64 key, const double *slot);
extern void ClusterTableMerge(ClusterTable *dst, const ClusterTable *src);
extern void ClusterTableSerialize(StringInfo buf, const ClusterTable *t);
extern ClusterTable *ClusterTableDeserialize(StringInfo buf, MemoryContext parent, int p);
extern double ClusterTableMaxShare(const ClusterTable *t);	/* max_g n_g / n; 0 when empty */
extern int64 ClusterTableMembers(const ClusterTable *t);	/* distinct members */

/*
 * Chan-Golub-LeVeque merge of one slot (n, mean[p], comoment[tri(p)]) into another; scratch
 * holds p doubles.  The same arithmetic as MomentsCombine.
 */
extern void ClusterSlotMerge(int p, double *dst, const double *src, double *scratch);

/* Put the rows ClusterTableAdd queued into their slots: before reading the table. */
static inline void
ClusterTableFlush(ClusterTable *t)
{
	if (t != NULL && t->queued > 0)
		ClusterTableFlushQueue(t);
}

/* A reader of a table whose queue was not flushed would miss rows: an error, not a wrong figure. */
static inline void
ClusterTableCheckFlushed(const ClusterTable *t)
{
	if (unlikely(t->queued != 0))
		elog(ERROR, "exlink per-member table read with %d rows queued", t->queued);
}

static inline double *
ClusterTableSlot(const ClusterTable *t, int64 i)
{
	Assert(t->queued == 0);
	return t->data + i * t->sstride + 1;
}

/*
 * Largest number of variables whose exlink.moments value carries a cluster summary (an
 * outcome and 15 drivers).  The summary has tri(1 + p + tri(p)) doubles: 3,081 (24 kB) for
 * p = 11, 11,781 (92 kB) for p = 16; it grows as p^4, so beyond 16 a value has none and
 * cluster-robust inference from it is unavailable.
 */
#define MOMENTS_SUMMARY_MAX_DIM 16

/*
 * Largest cluster count G of a summary: a value stores G as a double, exact up to 2^53 (a
 * crafted value could claim more; a merge refuses a sum beyond it rather than round it).
 */
#define MOMENTS_MAX_CLUSTERS (INT64CONST(1) << 53)

/*
 * The fixed-size cluster summary of a set of members.  For member g with n_g rows, mean
 * vector m_g and co-moments C_g, and a centre c, let
 *   w_g(c) = (n_g, L_g = n_g (m_g - c), vec Q_g)  with  Q_g = C_g + n_g (m_g - c)(m_g - c)'
 * (Q_g: the member's co-moments about c, packed upper triangle).  The summary is
 * S(c) = sum_g w_g(c) w_g(c)', r x r with r = 1 + p + tri(p), and the count of members G.
 * Moving the centre by d is linear in w (n' = n, L' = L - n d, Q' = Q - L d' - d L' + n d d'),
 * so S moves exactly as K(d) S K(d)' (as Chan's update moves co-moments): summaries of cells
 * that share no member add up after moving to a common centre.  At the centre of all rows
 * the Q block gives every cluster score of any regression on these variables:
 * s_g = Q_g gamma restricted to the regressors, gamma = (1 for the outcome, -b for the slopes).
 */
typedef struct ClusterSummary
{
	int			p;
	int			r;				/* 1 + p + tri(p) */
	int64		clusters;		/* G */
	double	   *centre;			/* [p]: the c of S */
	double	   *S;				/* [r * r], full symmetric, row-major */
	double	   *work;			/* [r * r] scratch of MomentsMergeValue, NULL until used */
} ClusterSummary;

#define SUMMARY_R(p) (1 + (p) + MOMENTS_TRI_SIZE(p))
#define SUMMARY_Q(p, i, j) (1 + (p) + MOMENTS_TRI(p, Min(i, j), Max(i, j)))

extern ClusterSummary *ClusterSummaryCreate(MemoryContext cxt, int p);
extern ClusterSummary *ClusterSummaryCopy(MemoryContext cxt, const ClusterSummary *src);
/* Move the centre to c: S <- K(d) S K(d)', d = c - centre (exact up to rounding). */
extern void ClusterSummaryRecentre(ClusterSummary *s, const double *c);
/* dst += src (members disjoint), src moved to dst's centre on a copy. */
extern void ClusterSummaryAdd(ClusterSummary *dst, const ClusterSummary *src);
/* The summary of a per-member table at centre c (allocated in cxt). */
extern ClusterSummary *ClusterSummaryFromTable(MemoryContext cxt, const ClusterTable *t, const double *c);
/* s += a value's packed summary (tri(r) doubles, G clusters, centred at vc). */
extern void ClusterSummaryAddPacked(ClusterSummary *s, const double *packed, int64 G, const double *vc);

#endif
