/* comoments.h: the one co-moment kernel: Welford's update and Chan's merge of (n, means, co-moments). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_COMOMENTS_H
#define EXLINK_COMOMENTS_H

/* Index of co-moment (i, j), i <= j, in the packed upper triangle of a p x p matrix. */
#define MOMENTS_TRI(p, i, j) ((i) * (p) - ((i) * ((i) - 1)) / 2 + ((j) - (i)))
#define MOMENTS_TRI_SIZE(p) ((p) * ((p) + 1) / 2)

/*
 * Every co-moment in exlink (a group's moments, a member's slot in the per-member table, the
 * leave-one-member-out sums of the jackknife) is updated and merged by these two functions, so
 * that the row form, the cell form and the per-member form agree bit for bit.  The layout is
 * n, mean[p], then the packed upper triangle c[tri(p)] of C_ij = sum_k (x_ki - mean_i)(x_kj -
 * mean_j), i <= j (moments.h: MOMENTS_TRI).  Inline: with a constant p (2 for a correlation)
 * the compiler unrolls the loops, which is the hot path of linked_correlation.
 */

/*
 * Welford's update generalised to co-moments, for one row x (finite, length p) added to a set of
 * n rows: with d = x - mean (before the update), mean += d / (n + 1), C_ij += n/(n+1) d_i d_j.
 * d: p doubles of scratch.  The caller adds 1 to its count.
 */
static inline void
CoMomentsUpdate(int p, double n, double *mean, double *c, const double *x, double *d)
{
	double		n1 = n + 1.0;
	double		f = n / n1;

	for (int i = 0; i < p; i++)
	{
		d[i] = x[i] - mean[i];
		mean[i] += d[i] / n1;
	}
	for (int i = 0; i < p; i++)
	{
		double		fdi = f * d[i];

		for (int j = i; j < p; j++)
			*c++ += fdi * d[j];
	}
}

/*
 * Chan, Golub & LeVeque's pairwise merge of set b (nb rows) into set a (na rows, both > 0):
 * with delta = mean_b - mean_a, mean_a += delta nb/n, C_a += C_b + (na nb / n) delta delta'.
 * d: p doubles of scratch.  The caller sets its count to na + nb.
 */
static inline void
CoMomentsMerge(int p, double na, double *mean, double *c, double nb, const double *mean_b,
			   const double *c_b, double *d)
{
	double		nt = na + nb;
	double		w = na * nb / nt;
	int			k = 0;

	for (int i = 0; i < p; i++)
	{
		d[i] = mean_b[i] - mean[i];
		mean[i] += d[i] * (nb / nt);
	}
	for (int i = 0; i < p; i++)
		for (int j = i; j < p; j++, k++)
			c[k] += c_b[k] + w * d[i] * d[j];
}

#endif
