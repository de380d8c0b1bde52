/* driver_bootstrap.c: cluster bootstrap intervals for the importance shares of a key-driver model. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "clusters.h"
#include "driver_bootstrap.h"

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Slot order by member hash: the draws do not depend on the plan (serial, parallel, merged). */
static const uint64 *sort_keys;

static int
cmp_slot(const void *a, const void *b)
{
	uint64		x = sort_keys[*(const int64 *) a],
				y = sort_keys[*(const int64 *) b];

	return (x > y) - (x < y);
}

/* R's quantile(x, prob, type = 7) of the n sorted values x. */
static double
quantile7(const double *x, int n, double prob)
{
	double		h = (n - 1) * prob;
	int			lo = (int) floor(h);

	if (lo >= n - 1)
		return x[n - 1];
	return x[lo] + (h - lo) * (x[lo + 1] - x[lo]);
}

/*
 * Why no row is needed: member g's slot holds n_g, its means m_g and its co-moments C_g about
 * them.  About the overall means xbar its sums are L_g = n_g (m_g - xbar) and Q_g = C_g + n_g
 * (m_g - xbar)(m_g - xbar)'.  A draw takes member g c_g times (multinomial, G draws of 1/G), so
 * its rows have N = sum c_g n_g, means xbar + L / N with L = sum c_g L_g, and co-moments about
 * those means Q - L L' / N with Q = sum c_g Q_g: one pass over the members' (1 + p + p(p+1)/2)
 * sums per draw, then the model of the draw's correlation matrix (drivers.c, the same code as
 * the estimate).
 */
int
DriverBootstrap(const Moments *m, int q, int draws, int64 seed, double level,
				double *rw_low, double *rw_high, double *lmg_low, double *lmg_high)
{
	const int	p = m->p;
	const int	tri = MOMENTS_TRI_SIZE(p);
	const int	stride = 1 + p + tri;
	int64		G;
	int64	   *order;
	double	   *sums;
	int32	   *count;
	double	   *acc;
	double	   *rw_draws;
	double	   *lmg_draws;
	double	   *sorted;
	Moments		dm;
	MemoryContext draw_cxt;
	MemoryContext old;
	pg_prng_state rng;
	int			used = 0;

	for (int j = 0; j < q; j++)
		rw_low[j] = rw_high[j] = lmg_low[j] = lmg_high[j] = NAN;
	if (m->cluster != CLUSTER_ROWS || m->clusters == NULL || p != q + 1 || draws < 1)
		return 0;
	G = m->clusters->count;
	if (G < 2)
		return 0;

	/*
	 * Members in the order of their hashes, not of their arrival: the same seed gives the same
	 * draws whatever the plan (a parallel plan merges the members in another order).
	 */
	order = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * G);
	for (int64 g = 0; g < G; g++)
		order[g] = g;
	sort_keys = m->clusters->keys;
	qsort(order, G, sizeof(int64), cmp_slot);
	sort_keys = NULL;

	/* As large as the per-member table itself (which may pass 1 GB: exlink.max_cluster_members). */
	sums = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * stride * G);
	for (int64 g = 0; g < G; g++)
	{
		const double *slot = ClusterTableSlot(m->clusters, order[g]);
		const double ng = slot[0];
		const double *cg = slot + 1 + p;
		double	   *v = sums + g * stride;

		v[0] = ng;
		for (int i = 0; i < p; i++)
			v[1 + i] = ng * (slot[1 + i] - m->mean[i]);
		for (int i = 0; i < p; i++)
			for (int j = i; j < p; j++)
				v[1 + p + MOMENTS_TRI(p, i, j)] = cg[MOMENTS_TRI(p, i, j)] +
					ng * (slot[1 + i] - m->mean[i]) * (slot[1 + j] - m->mean[j]);
	}

	count = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * G);
	acc = palloc(sizeof(double) * stride);
	rw_draws = palloc(sizeof(double) * (Size) draws * q);
	lmg_draws = palloc(sizeof(double) * (Size) draws * q);
	memset(&dm, 0, sizeof(dm));
	dm.p = p;
	dm.mean = palloc(sizeof(double) * p);
	dm.comoment = palloc(sizeof(double) * tri);
	draw_cxt = AllocSetContextCreate(CurrentMemoryContext, "exlink bootstrap draw", ALLOCSET_SMALL_SIZES);
	pg_prng_seed(&rng, (uint64) seed);

	for (int b = 0; b < draws; b++)
	{
		double		n;

		CHECK_FOR_INTERRUPTS();
		memset(count, 0, sizeof(int32) * G);
		for (int64 i = 0; i < G; i++)
			count[pg_prng_uint64_range(&rng, 0, (uint64) (G - 1))]++;
		memset(acc, 0, sizeof(double) * stride);
		for (int64 g = 0; g < G; g++)
		{
			const double c = count[g];
			const double *v = sums + g * stride;

			if (count[g] == 0)
				continue;
			for (int r = 0; r < stride; r++)
				acc[r] += c * v[r];
		}
		n = acc[0];
		dm.n = (int64) n;
		for (int i = 0; i < p; i++)
			dm.mean[i] = m->mean[i] + acc[1 + i] / n;
		for (int i = 0; i < p; i++)
			for (int j = i; j < p; j++)
				dm.comoment[MOMENTS_TRI(p, i, j)] = acc[1 + p + MOMENTS_TRI(p, i, j)] - acc[1 + i] * acc[1 + j] / n;

		old = MemoryContextSwitchTo(draw_cxt);
		if (DriverShares(&dm, q, rw_draws + (Size) used * q, lmg_draws + (Size) used * q))
			used++;
		MemoryContextSwitchTo(old);
		MemoryContextReset(draw_cxt);
	}
	MemoryContextDelete(draw_cxt);

	if (used == 0)
		return 0;
	sorted = palloc(sizeof(double) * used);
	for (int j = 0; j < q; j++)
	{
		for (int pass = 0; pass < 2; pass++)
		{
			const double *all = pass == 0 ? rw_draws : lmg_draws;

			for (int b = 0; b < used; b++)
				sorted[b] = all[(Size) b * q + j];
			qsort(sorted, used, sizeof(double), cmp_double);
			(pass == 0 ? rw_low : lmg_low)[j] = quantile7(sorted, used, (1.0 - level) / 2.0);
			(pass == 0 ? rw_high : lmg_high)[j] = quantile7(sorted, used, (1.0 + level) / 2.0);
		}
	}
	return used;
}
