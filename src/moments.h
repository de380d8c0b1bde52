/* moments.h: mergeable sufficient statistics (n, means, co-moments) of a float8 vector. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_MOMENTS_H
#define EXLINK_MOMENTS_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

#include "aggkit.h"
#include "members.h"
#include "release_policy.h"

#define MOMENTS_MAX_DIM 64

/* Index of co-moment (i, j), i <= j, in the packed upper triangle of a p x p matrix. */
#define MOMENTS_TRI(p, i, j) ((i) * (p) - ((i) * ((i) - 1)) / 2 + ((j) - (i)))
#define MOMENTS_TRI_SIZE(p) ((p) * ((p) + 1) / 2)

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

#define MOMENTS_VALUE_VERSION 1
#define MomentsValueSize(p) (offsetof(MomentsValue, data) + sizeof(double) * ((p) + MOMENTS_TRI_SIZE(p)))
#define DatumGetMomentsValue(d) ((MomentsValue *) PG_DETOAST_DATUM(d))
#define PG_GETARG_MOMENTS(n) DatumGetMomentsValue(PG_GETARG_DATUM(n))

extern Moments *MomentsCreate(MemoryContext cxt, int p, bool track_members, int member_cap);
extern void MomentsAccumulate(Moments *m, const double *x);
extern void MomentsCombine(Moments *dst, const Moments *src);
extern void MomentsSetLabels(Moments *m, int nlabels, char *const *labels);
extern int64 MomentsMembers(const Moments *m);	/* -1 unknown, else exact up to cap */
extern void MomentsReleaseFacts(const Moments *m, ReleaseFacts *facts);	/* for ReleaseRefusal */

extern bytea *MomentsSerialize(const Moments *m);
extern Moments *MomentsDeserialize(bytea *b, MemoryContext cxt);

extern MomentsValue *MomentsToValue(const Moments *m);	/* NULL when not finite */
extern Moments *MomentsFromValue(const MomentsValue *v, MemoryContext cxt);

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
