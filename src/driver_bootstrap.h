/* driver_bootstrap.h: cluster bootstrap intervals for the importance shares of a key-driver model. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_DRIVER_BOOTSTRAP_H
#define EXLINK_DRIVER_BOOTSTRAP_H

#include "moments.h"

/* At most this many draws (each costs one pass over the members and one 2^q Shapley walk). */
#define EXLINK_BOOTSTRAP_MAX_DRAWS 100000
#define EXLINK_BOOTSTRAP_DEFAULT_SEED 20261207

/*
 * The shares (percent of R²) of Johnson's relative weights and of the LMG values of the model of
 * variable 0 on variables 1..q of m (m->n, m->mean and m->comoment only).  False when the
 * model is not fully defined (a driver without variance, collinear drivers, R² = 0): a bootstrap
 * draw then fails.  drivers.c; allocates in CurrentMemoryContext.
 */
extern bool DriverShares(const Moments *m, int q, double *rw_share, double *lmg_share);

/*
 * Percentile intervals (level, e.g. 0.95) of the relative-weight and LMG shares of the q drivers
 * of a resolved per-member state (m->cluster == CLUSTER_ROWS), from `draws` resamples of the
 * members with replacement (each draw re-weights the members' sums: no row is read), seeded
 * (PostgreSQL's pg_prng, the same draws on every platform).  The quantiles are R's
 * quantile(type = 7) of the draws that gave a model.  Returns the number of such draws (0: no
 * per-member state; the outputs are then NaN).  Allocates in CurrentMemoryContext; calls
 * CHECK_FOR_INTERRUPTS() every draw.
 */
extern int	DriverBootstrap(const Moments *m, int q, int draws, int64 seed, double level,
							double *rw_low, double *rw_high, double *lmg_low, double *lmg_high);

#endif
