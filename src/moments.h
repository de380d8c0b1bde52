/* moments.h: mergeable sufficient statistics (n, means, co-moments) of a float8 vector. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_MOMENTS_H
#define EXLINK_MOMENTS_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

#include "aggkit.h"
#include "clusters.h"
#include "comoments.h"
#include "members.h"
#include "release_policy.h"

#define MOMENTS_MAX_DIM 64


/* Fewer clusters than this: the status warns that CR1 p-values may be too small. */
#define MOMENTS_FEW_CLUSTERS 30

/*
 * Where a state's cluster-robust inference comes from.  Combining two states of different
 * kinds gives CLUSTER_MISSING, except that CLUSTER_EMPTY (a merge state before its first
 * value) is the identity.
 */
typedef enum MomentsCluster
{
	CLUSTER_NONE = 0,			/* no member information (or independent inference asked) */
	CLUSTER_ROWS,				/* rows with members: the per-member table `clusters` */
	CLUSTER_SUMMARY,			/* merged exlink.moments values: the fixed-size `summary` */
	CLUSTER_MISSING,			/* members known but no summary: clustered inference unavailable */
	CLUSTER_EMPTY				/* a merge state that has seen no value yet */
} MomentsCluster;


/* Inference asked for in an aggregate's argument (kept in the state). */
#define MOMENTS_INFERENCE_UNSET 0
#define MOMENTS_INFERENCE_CLUSTER 1
#define MOMENTS_INFERENCE_INDEPENDENT 2
#define MOMENTS_INFERENCE_CR1 3
#define MOMENTS_INFERENCE_TWOWAY 4	/* two-way by member and the cluster argument */

/*
 * The aggregate state (STYPE internal).  Contract: a Moments and its arrays live in the
 * MemoryContext given to MomentsCreate (the aggregate context); MomentsAccumulate allocates
 * nothing, MomentsCombine only in dst's context (member-set growth, and the arrays and labels
 * of a dst that had none yet).
 *
 * comoment holds C_ij = sum_k (x_ki - mean_i)(x_kj - mean_j) for i <= j, updated with the
 * one-pass Welford update and merged with the pairwise Chan-Golub-LeVeque formula, so the
 * result depends on row order and worker split only through floating-point rounding.
 *
 * Members: with a member argument, `members` counts distinct members exactly up to its cap.
 * A state rebuilt from an exlink.moments value knows only `members_min`, a lower bound
 * (-1 = unknown, i.e. no member argument was ever given).
 */
typedef struct Moments
{
	MemoryContext cxt;
	int			p;				/* number of variables, 1..MOMENTS_MAX_DIM */
	int64		n;				/* complete rows accumulated */
	int64		skipped;		/* rows skipped: NULL, NaN, +-Infinity, NULL/empty member */
	bool		track_members;	/* rows came with a member argument */
	MemberSet	members;		/* valid when track_members */
	int64		members_min;	/* lower bound when !track_members; -1 = unknown */
	int32		k;				/* threshold given as an aggregate argument, 0 = none */
	double		level;			/* confidence level given as an aggregate argument, 0 = none */
	double	   *mean;			/* [p] */
	double	   *comoment;		/* [MOMENTS_TRI_SIZE(p)] */
	double	   *scratch;		/* [p] work space for the update */
	int			nlabels;		/* names a caller attached (e.g. driver names); 0 = none */
	char	  **labels;			/* [nlabels] in cxt; merged (must agree) and serialized */

	/*
	 * Cluster-robust inference.  CLUSTER_ROWS: rows are accumulated only per member (in
	 * `clusters`, a child context of cxt), n, mean and comoment stay empty until
	 * MomentsResolve derives them (every counted row has a member).  CLUSTER_SUMMARY: the
	 * summary of merged values (in cxt).
	 */
	MomentsCluster cluster;
	int			inference;		/* MOMENTS_INFERENCE_*, as the rows asked */
	ClusterTable *clusters;		/* CLUSTER_ROWS; NULL until the first complete row */
	ClusterSummary *summary;	/* CLUSTER_SUMMARY */

	/*
	 * Constant arguments of the aggregate call that a final function needs (driver_weights'
	 * groups, bootstrap draws and seed).  A parallel plan's finalize step does not see the
	 * call's arguments, so the transition function puts them here and they travel like the
	 * labels: merged (both sides must agree; a side without them takes the other's) and
	 * serialized.  has_call_args false: none given (every other aggregate).
	 */
	bool		has_call_args;
	int			ncall_groups;	/* group of each driver; 0 = no groups */
	char	  **call_groups;	/* [ncall_groups] in cxt */
	int32		call_draws;		/* bootstrap draws, 0 = none */
	int64		call_seed;
} Moments;

/*
 * The SQL type exlink.moments: always sealed (it never carries member hashes, only the lower
 * bound `members`), so it may leave a guarded view.  Varlena, double-aligned.
 */
typedef struct MomentsValue
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* reserved, 0 */
	int16		p;
	int64		n;
	int64		skipped;
	int64		members;		/* at least this many distinct members; -1 = unknown */
	double		data[FLEXIBLE_ARRAY_MEMBER];	/* mean[p], then comoment[tri(p)] */
} MomentsValue;

/*
 * Version 1 (0.1.0, and 0.2.0 values without a cluster summary): data = mean, comoment.
 * Version 2: flags & MOMENTS_FLAG_SUMMARY, then after the co-moments G (as a double, exact
 * below 2^53) and S at the value's means, packed upper triangle: tri(SUMMARY_R(p)) doubles.
 */
#define MOMENTS_VALUE_VERSION 1
#define MOMENTS_VALUE_VERSION_SUMMARY 2
#define MOMENTS_FLAG_SUMMARY 0x01
#define MomentsValueSize(p) (offsetof(MomentsValue, data) + sizeof(double) * ((p) + MOMENTS_TRI_SIZE(p)))
#define MomentsValueSummarySize(p) (MomentsValueSize(p) + sizeof(double) * (1 + MOMENTS_TRI_SIZE(SUMMARY_R(p))))
#define MomentsValueHasSummary(v) ((v)->version == MOMENTS_VALUE_VERSION_SUMMARY && ((v)->flags & MOMENTS_FLAG_SUMMARY))
#define DatumGetMomentsValue(d) ((MomentsValue *) PG_DETOAST_DATUM(d))
#define PG_GETARG_MOMENTS(n) DatumGetMomentsValue(PG_GETARG_DATUM(n))

extern Moments *MomentsCreate(MemoryContext cxt, int p, bool track_members, int member_cap);
extern void MomentsAccumulate(Moments *m, const double *x);
extern void MomentsCombine(Moments *dst, const Moments *src);
extern void MomentsSetLabels(Moments *m, int nlabels, char *const *labels);
extern void MomentsSetCallArgs(Moments *m, int ngroups, char *const *groups, int32 draws, int64 seed);
extern int64 MomentsMembers(const Moments *m);	/* -1 unknown, else exact up to cap */
extern void MomentsReleaseFacts(const Moments *m, ReleaseFacts *facts);	/* for ReleaseRefusal */

extern bytea *MomentsSerialize(const Moments *m);
extern Moments *MomentsDeserialize(bytea *b, MemoryContext cxt);

extern MomentsValue *MomentsToValue(const Moments *m);	/* NULL when not finite */
extern Moments *MomentsFromValue(const MomentsValue *v, MemoryContext cxt);
extern void MomentsMergeValue(Moments *dst, const MomentsValue *v);	/* exlink.merge's step */

/*
 * Cluster-robust support.  MomentsUseClusters: make a new rows state accumulate per member.
 * MomentsResolve: the state as the final functions need it, never modifying m (final
 * functions are READ_ONLY): m itself, or (CLUSTER_ROWS, CLUSTER_SUMMARY) a copy in
 * CurrentMemoryContext whose n, mean and comoment come from the members and whose summary
 * (if any) is centred at the mean of all rows.  MomentsClusters: G, -1 when unknown.
 * MomentsClusterMeat: on a resolved state, M = sum_g s_g s_g' (k x k, row-major) for the
 * regression of variable y on variables x[0..k-1] with slopes b (original scale), where
 * s_g = sum over the member's rows of (x_i - mean x)(residual_i).  False when the state has
 * no per-member information.  MomentsMaxMemberShare: max_g n_g / n for the release decision
 * (dominance), -1 when the state has no per-member table.
 */
extern void MomentsUseClusters(Moments *m);
extern void MomentsSetInference(Moments *m, int inference);
extern int	ExlinkInferenceArg(FunctionCallInfo fcinfo, int argno);
extern Moments *MomentsResolve(const Moments *m);
extern int64 MomentsClusters(const Moments *m);
extern bool MomentsClusterMeat(const Moments *m, int y, const int *x, int k, const double *b, double *M);
extern double MomentsMaxMemberShare(const Moments *m);

/*
 * Which inference a resolved state gets (the default rule, docs/statistics.md section 7):
 * independent rows when asked for or without members; with members and at least 2 clusters,
 * the small-sample method (CR2 with Satterthwaite df for a model, the delete-one-member
 * jackknife for a correlation) when the state keeps per-member moments and CR1 was not asked
 * for; CR1 when asked for or when only a merged cell's summary is there; else unavailable
 * (*why says why).  *clusters: G when clustered, else -1.
 */
typedef enum InferenceMethod
{
	INFERENCE_METHOD_INDEPENDENT,
	INFERENCE_METHOD_CR1,
	INFERENCE_METHOD_SMALL_SAMPLE,
	INFERENCE_METHOD_UNAVAILABLE
} InferenceMethod;
extern InferenceMethod MomentsInference(const Moments *m, int64 *clusters, const char **why);

/*
 * On a resolved state: sum_g psi_g^2 for psi_g = sum_t w[t] Q_g[a[t], b[t]] (Q_g: member g's
 * co-moments about the overall means), e.g. the cluster-robust linearization variance of a
 * correlation.  False when the state has no per-member information.
 */
extern bool MomentsClusterLinear(const Moments *m, int nterms, const int *a, const int *b,
								 const double *w, double *out);

#define INFERENCE_CLUSTER "cluster-robust CR1"
#define INFERENCE_CR1_CELLS "cluster-robust CR1 (merged cells carry no per-member moments)"
#define INFERENCE_CR2 "cluster-robust CR2, Satterthwaite df"
#define INFERENCE_JACKKNIFE "cluster jackknife (delete one member)"
#define INFERENCE_INDEPENDENT "independent rows"
#define INFERENCE_TWOWAY "two-way cluster-robust CR1 by member and cluster (Cameron-Gelbach-Miller, negative eigenvalues set to 0)"
extern bool MomentsClusterRow(Moments *m, FunctionCallInfo fcinfo, int argno, const double *x);
extern bool MomentsClusterRowOuter(Moments *m, FunctionCallInfo fcinfo, int argno, int outer_argno,
								   const double *x);

/*
 * The state of a moments-based transition function (the aggregate kit, aggkit.h, has the
 * helpers every aggregate uses), created on the first row so that skipped rows are counted
 * too.  p = 0 means "not yet known".
 */
extern Moments *MomentsTransState(FunctionCallInfo fcinfo, int p, bool track_members);

/* Shared support functions usable by any aggregate whose state is a Moments. */
extern Datum exlink_moments_combinefn(PG_FUNCTION_ARGS);
extern Datum exlink_moments_serialfn(PG_FUNCTION_ARGS);
extern Datum exlink_moments_deserialfn(PG_FUNCTION_ARGS);

#endif
