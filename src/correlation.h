/* correlation.h: inference for a correlation coefficient and the exlink.correlation result. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_CORRELATION_H
#define EXLINK_CORRELATION_H

#include "fmgr.h"

#define CORRELATION_DEFAULT_LEVEL 0.95

/* How the Fisher-z interval's variance is chosen. */
typedef enum CorrelationKind
{
	CORRELATION_PEARSON,		/* var(atanh r) = 1 / (n - 3) */
	CORRELATION_SPEARMAN		/* Bonett & Wright (2000): (1 + r^2 / 2) / (n - 3) */
} CorrelationKind;

/*
 * Sufficient statistics of one group, as the final functions see them: n complete rows, the
 * centred sums of squares and cross-products (co-moments), the rows skipped, the member lower
 * bound (-1 = unknown), whether the guard withholds the figures, and the confidence level.
 */
typedef struct CorrelationInput
{
	CorrelationKind kind;
	int64		n;
	double		sxx;
	double		syy;
	double		sxy;
	int64		skipped;
	int64		members;
	bool		suppressed;
	double		level;			/* 0 = CORRELATION_DEFAULT_LEVEL */

	/*
	 * Inference: NULL or "independent rows" for the classical figures; clustered (the
	 * jackknife by default, or CR1) with clusters (G >= 2) and se_z, the standard error of
	 * atanh(r) the test and the interval share; "unavailable: ..." for no t, p or interval.
	 */
	const char *inference;
	bool		clustered;
	int64		clusters;		/* -1 = not clustered */
	double		se_z;
	double		df;				/* of the clustered t; 0 = G - 1 */
} CorrelationInput;


/*
 * The exlink.correlation row for one group (a composite Datum of the calling function's
 * result type).  Never raises an error on data: degeneracies give NULL figures and a status.
 * Allocates in CurrentMemoryContext.
 */
extern Datum CorrelationResult(FunctionCallInfo fcinfo, const CorrelationInput *in);

/*
 * The inference fields of in (inference, clustered, clusters, se_z) for variables a and b of a
 * resolved Moments state (moments.h: MomentsResolve); symmetric in a and b.
 */
struct Moments;
extern void CorrelationInference(const struct Moments *m, int a, int b, CorrelationInput *in);

#endif
