/* driver_groups.h: importance and tests of groups of driver columns (dummies, bases, interactions). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_DRIVER_GROUPS_H
#define EXLINK_DRIVER_GROUPS_H

#include "moments.h"

/*
 * What a fitted key-driver model hands to the group step (drivers.c fills it).  Columns are the
 * caller's driver positions 0..q-1; kept[0..k-1] are those with variance, in the order of corr.
 * corr is NULL when no model was fitted (suppressed, no rows...): then every figure is NULL.
 */
typedef struct DriverGroupInput
{
	int			q;
	const char *const *names;	/* [q] column names */
	int			k;
	const int  *kept;			/* [k] */
	const double *corr;			/* [(k+1)^2] kept columns first, outcome last; or NULL */
	const double *beta;			/* [q] standardized betas (NaN: none) */
	const double *rw;			/* [q] Johnson relative weights (NaN: none) */
	const double *vcov;			/* [q * q] covariance of the betas, or NULL */
	double		r2;
	double		n;
	InferenceMethod method;
	int64		clusters;
	const double *htz_nu;		/* CR2: [groups] each group's HTZ df (DriverGroupIds order, NaN:
								 * none), from the model's variance pass; NULL otherwise */
} DriverGroupInput;

/*
 * DriverGroupIds: the group of each of q drivers (gid[j], 0..g-1, groups numbered in the order
 * of first appearance in group_of); returns g.
 */
extern int	DriverGroupIds(int q, const char *const *group_of, int *gid);

/*
 * The exlink.driver_group[] array (element type elemtype) of a model whose column j belongs to
 * the group named group_of[j] (q names; groups in the order of first appearance).  Allocates in
 * CurrentMemoryContext.
 */
extern Datum DriverGroupsDatum(Oid elemtype, const DriverGroupInput *in, const char *const *group_of);

/*
 * ShapleyGroupLMG: exact LMG values of g groups of the columns of corr ((k+1) x (k+1), row-major,
 * outcome last), group_of[c] in 0..g-1 for each column c.  lmg: output [g].  Returns the full
 * model's R².  g <= EXLINK_LMG_MAX_DRIVERS.
 */
extern double ShapleyGroupLMG(const double *corr, int k, const int *group_of, int g, double *lmg);

#endif
