/* drivers.h: key-driver analysis (betas, relative weights, Shapley/LMG) shared between files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_DRIVERS_H
#define EXLINK_DRIVERS_H

#include "fmgr.h"

/*
 * Exact Shapley/LMG decomposition is computed for at most this many drivers (2^q subsets);
 * above it the LMG figures are NULL with a status, the rest of the model is still given.
 */
#define EXLINK_LMG_MAX_DRIVERS 24

/*
 * A pivot (the residual variance of a standardized driver given the drivers already in a
 * subset, i.e. 1 / VIF) at or below this value means the driver is a linear combination of
 * them: it is skipped, as a pseudo-inverse would (the subset's R² is that of its span).  The
 * same bound on the smallest eigenvalue of the driver correlation matrix declares the model
 * collinear.
 */
#define EXLINK_COLLINEAR_TOL 1e-10

/*
 * ShapleyLMG: exact LMG values of q drivers (q <= EXLINK_LMG_MAX_DRIVERS).
 * corr: the (q+1) x (q+1) correlation matrix, row-major, drivers first and the outcome last.
 * lmg: output [q].  Returns R² of the full model (= the sum of lmg up to rounding).
 * Allocates with palloc in CurrentMemoryContext; calls CHECK_FOR_INTERRUPTS().
 */
extern double ShapleyLMG(const double *corr, int q, double *lmg);

/*
 * For exlink.driver_weights_cells (cell_clusters.c): the names argument argno into state m
 * (q drivers), and the model of a resolved state, as every driver_weights form returns it.
 */
struct Moments;
extern void DriversNamesArg(FunctionCallInfo fcinfo, int argno, struct Moments *m, int q);
extern Datum DriversResult(FunctionCallInfo fcinfo, const struct Moments *m);

#endif
