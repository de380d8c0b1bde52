/* shapley.c: exact Shapley/LMG decomposition of R² over all 2^q driver subsets. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "miscadmin.h"

#include "drivers.h"

/*
 * LMG_j = sum over subsets S of the other drivers of w(|S|) (R²(S u {j}) - R²(S)), with
 * w(s) = s! (q-1-s)! / q!  (Lindeman, Merenda & Gold 1980; Grömping 2006).
 *
 * The 2^q subset R² values come from a depth-first walk of the include/exclude tree of the
 * drivers in index order, with the sweep operator (Beaton 1964; Goodnight 1979) on the
 * correlation matrix whose last row and column is the outcome.  After sweeping the drivers of
 * S, the outcome's diagonal element is 1 - R²(S).  Going down the tree:
 *  - "exclude driver k" reuses the parent's matrix unchanged;
 *  - "include driver k" sweeps pivot k into a copy, and only rows and columns k+1..q (the
 *    drivers still to be decided, and the outcome) are ever read again, so the sweep touches
 *    (q-k)² / 2 elements.
 * Every subset thus costs one partial sweep of a forward-only chain from the identity, never an
 * undo: no drift accumulates along the walk (the rounding of each R²(S) is that of at most q
 * pivots, as when it is computed from scratch), and the total work is about 6 * 2^q
 * multiply-adds, plus 2^q leaves.  Memory: q+1 matrices of (q+1)² doubles.
 *
 * A pivot below EXLINK_COLLINEAR_TOL means driver k is a linear combination of the drivers
 * already swept: it is not swept (S u {k} spans the same space as S, so its R² is the same), as
 * a pseudo-inverse would do.  LMG stays defined under perfect collinearity.
 *
 * The LMG sums are formed per subtree: a node returns the sums over its leaves of
 * w(|S|-1) R²(S) ("in") and w(|S|) R²(S) ("out"); at the node that decides driver k, the
 * include subtree's "in" minus the exclude subtree's "out" is exactly the sum of the weighted
 * increments of k over the subsets below that node, so increments are paired before they are
 * added (a tree summation, no large cancelling totals).
 */
typedef struct ShapleyWalk
{
	int			q;
	int			m;				/* q + 1: drivers, then the outcome */
	double	   *buf;			/* q matrices of m * m (one per tree level) */
	double	   *w;				/* w[s], s = 0..q; w[q] = 0 (no driver is outside the full set) */
	double	   *lmg;
	double		r2_full;
} ShapleyWalk;

static void
shapley_visit(ShapleyWalk *walk, int k, const double *a, int s, double *in_sum, double *out_sum)
{
	const int	q = walk->q;
	const int	m = walk->m;
	double		ie,
				oe,
				ii,
				oi;
	double		pivot;

	if (k == q)
	{
		double		r2 = 1.0 - a[q * m + q];

		if (s == q)
			walk->r2_full = r2;
		*in_sum = s > 0 ? walk->w[s - 1] * r2 : 0.0;
		*out_sum = walk->w[s] * r2;
		return;
	}
	if (q - k >= 10)
		CHECK_FOR_INTERRUPTS();

	shapley_visit(walk, k + 1, a, s, &ie, &oe);

	pivot = a[k * m + k];
	if (pivot > EXLINK_COLLINEAR_TOL)
	{
		double	   *b = walk->buf + (Size) k * m * m;
		const double *ak = a + k * m;	/* row k: a[k][j] = a[j][k] for j > k */

		/* Upper triangle of rows/columns k+1..q: b_ij = a_ij - a_ik a_kj / a_kk. */
		for (int i = k + 1; i <= q; i++)
		{
			const double f = ak[i] / pivot;
			const double *ai = a + i * m;
			double	   *bi = b + i * m;

			for (int j = i; j <= q; j++)
				bi[j] = ai[j] - f * ak[j];
		}
		shapley_visit(walk, k + 1, b, s + 1, &ii, &oi);
	}
	else
		shapley_visit(walk, k + 1, a, s + 1, &ii, &oi);

	walk->lmg[k] += ii - oe;
	*in_sum = ie + ii;
	*out_sum = oe + oi;
}

double
ShapleyLMG(const double *corr, int q, double *lmg)
{
	ShapleyWalk walk;
	double		in_sum,
				out_sum;
	double		binom = 1.0;	/* C(q-1, s) */

	Assert(q >= 1 && q <= EXLINK_LMG_MAX_DRIVERS);
	walk.q = q;
	walk.m = q + 1;
	walk.buf = palloc(sizeof(double) * (Size) q * walk.m * walk.m);
	walk.w = palloc(sizeof(double) * (q + 1));
	walk.lmg = lmg;
	walk.r2_full = 0.0;
	for (int s = 0; s < q; s++)
	{
		walk.w[s] = 1.0 / ((double) q * binom);
		binom = binom * (double) (q - 1 - s) / (double) (s + 1);
	}
	walk.w[q] = 0.0;
	for (int j = 0; j < q; j++)
		lmg[j] = 0.0;

	shapley_visit(&walk, 0, corr, 0, &in_sum, &out_sum);

	pfree(walk.buf);
	pfree(walk.w);
	return walk.r2_full;
}
