/* cluster_variance.h: the one variance step of clustered inference (CR1, CR2 + Satterthwaite, jackknife). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_CLUSTER_VARIANCE_H
#define EXLINK_CLUSTER_VARIANCE_H

#include "moments.h"

/*
 * A regression of variable y on variables x[0..k-1] (with an intercept) of a resolved moments
 * state (MomentsResolve), in the scaled design every function here works in: the intercept
 * column 1/sqrt(N) and the regressors z_j = (x_j - mean x_j) / sd_j, the outcome (y - mean y)
 * / sd_y, sd the square root of the co-moment diagonal.  Then X'X = diag(1, R), R the
 * regressors' correlation matrix, and the slopes are the standardized betas of lm(scale(y) ~
 * scale(X)): every covariance below is theirs, and t and p equal those of any other scaling.
 */
typedef struct ClusterDesign
{
	const Moments *m;			/* resolved; m->mean and m->comoment are those of all rows */
	int			y;
	int			k;
	const int  *x;				/* [k] */
	const double *beta;			/* [k] standardized slopes */
	const double *rinv;			/* [k * k] R^-1, row-major */
} ClusterDesign;

/*
 * The clustered covariance of the standardized slopes (cov, k x k, row-major) and the degrees
 * of freedom of each slope's t test (df[k]).  False when the state has no per-cluster
 * information (then nothing is written).
 *
 * ClusterVarianceCR1: sandwich::vcovCL(type = "HC1"): G/(G-1) (N-1)/(N-K) R^-1 M R^-1, df = G - 1;
 * two-way rows (inference => 'twoway'): V_member + V_cluster - V_cell, eigenvalues below 0 set to 0,
 * df = min(G_member, G_cluster) - 1;
 * from per-member moments or a merged cell's summary.
 * ClusterVarianceCR2: clubSandwich::vcovCR(type = "CR2") (working model: identity) and the
 * Satterthwaite df of coef_test(test = "Satterthwaite") per slope; per-member moments only
 * (the derivation is in docs/statistics.md, section 7).  O(G (k+1)^3).
 */
extern bool ClusterVarianceCR1(const ClusterDesign *d, double *cov, double *df);
extern bool ClusterVarianceCR2(const ClusterDesign *d, double *cov, double *df);

/*
 * The per-cluster sums of the scaled design for cluster g (0..G-1) of a per-member state:
 * U = X_g'X_g ((k+1) x (k+1), row-major) and s = X_g'e_g (k+1), e the residuals of the fitted
 * slopes.  Everything CR2, its df and a cluster bootstrap need (sum_g U = diag(1, R)).
 */
extern int64 ClusterDesignClusters(const ClusterDesign *d);
extern void ClusterDesignSums(const ClusterDesign *d, int64 g, double *U, double *s);

/*
 * ClusterVarianceCR2HTZ: ClusterVarianceCR2, and in the same pass the denominator degrees of
 * freedom nu of clubSandwich's Wald_test(test = "HTZ") (CR2, working model I) of ntests
 * hypotheses, test t: "the slopes cols[start[t] .. start[t+1] - 1] (indices 0..k-1 of d->x) are
 * all zero".  With Q = b_C' V_C^-1 b_C (V the CR2 covariance) and r constraints: F = (nu - r + 1)
 * / (nu r) Q on (r, nu - r + 1).  nu[t] NaN: undefined.  Per-member moments only
 * (docs/statistics.md, section 7).
 */
extern bool ClusterVarianceCR2HTZ(const ClusterDesign *d, double *cov, double *df, int ntests,
								  const int *start, const int *cols, double *nu);

/*
 * The standard error of atanh(r), r the correlation of variables a and b, for a symmetric test
 * and interval (t = atanh(r) / se on G - 1 df; interval tanh(atanh(r) -+ t_q se)):
 * ClusterCorrelationJackknife: delete-one-member jackknife of atanh(r) (per-member moments
 * only; false also when a leave-one-out correlation is undefined);
 * ClusterCorrelationLinear: CR1 linearization, sqrt(G/(G-1) sum_g psi_g^2) / (1 - r^2) (per-member
 * moments or a cell summary).
 */
extern bool ClusterCorrelationJackknife(const Moments *m, int a, int b, double *se_z);
extern bool ClusterCorrelationLinear(const Moments *m, int a, int b, double *se_z);

#endif
