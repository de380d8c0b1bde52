/* driver_groups.c: importance and cluster-robust tests of groups of driver columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "driver_groups.h"
#include "drivers.h"

/*
 * A categorical characteristic enters a model as its dummies, a nonlinear driver as the columns
 * of a basis, an interaction as products: one question ("how much does training class matter")
 * is then several columns, and per-column importance answers nothing.  Here the columns are
 * grouped and each group gets:
 *
 *  - LMG over groups (Shapley value of R² with the groups as players; Grömping 2006, section
 *    on groups): exact, over the 2^g subsets of groups, by the walk of shapley.c with "include
 *    group t" sweeping all of its columns;
 *  - relative weight: the sum of its columns' Johnson weights (Tonidandel & LeBreton 2011 use
 *    this for sets of predictors: the weights are additive, the sum is the set's share of R²);
 *  - a Wald test that all its betas are zero, on the model's own covariance V of the betas,
 *    Q = b' V^-1 b, with the small-sample method of the model's t tests: independent rows, F =
 *    Q / r on (r, n - k - 1) (the nested-model F of anova(lm)); CR1, F = Q / r on (r, G - 1)
 *    (the t tests' G - 1 df: sandwich's vcovCL with a naive F); CR2, clubSandwich's HTZ test
 *    (Pustejovsky & Tipton 2018, the multi-constraint form of the t tests' Satterthwaite df):
 *    F = (nu - r + 1) / (nu r) Q on (r, nu - r + 1), nu from ClusterVarianceCR2HTZ (the same pass as the model's CR2).
 */

typedef struct GroupWalk
{
	int			k;				/* columns; the outcome is column k */
	int			m;				/* k + 1 */
	int			g;
	const int  *start;			/* [g + 1] first column of each group (columns are grouped) */
	double	   *buf;			/* g matrices of m * m (one per tree level) */
	double	   *w;				/* w[s] = s! (g-1-s)! / g!, w[g] = 0 */
	double	   *lmg;
	double		r2_full;
} GroupWalk;

static void
group_visit(GroupWalk *walk, int t, const double *a, int s, double *in_sum, double *out_sum)
{
	const int	k = walk->k;
	const int	m = walk->m;
	double		ie,
				oe,
				ii,
				oi;
	double	   *b;
	int			lo;

	if (t == walk->g)
	{
		double		r2 = 1.0 - a[k * m + k];

		if (s == walk->g)
			walk->r2_full = r2;
		*in_sum = s > 0 ? walk->w[s - 1] * r2 : 0.0;
		*out_sum = walk->w[s] * r2;
		return;
	}
	if (walk->g - t >= 8)
		CHECK_FOR_INTERRUPTS();

	group_visit(walk, t + 1, a, s, &ie, &oe);

	/* Include group t: sweep each of its columns in turn (upper triangle of rows lo..k). */
	b = walk->buf + (Size) t * m * m;
	lo = walk->start[t];
	for (int i = lo; i <= k; i++)
		memcpy(b + i * m + i, a + i * m + i, sizeof(double) * (k + 1 - i));
	for (int c = lo; c < walk->start[t + 1]; c++)
	{
		const double pivot = b[c * m + c];
		const double *bc = b + c * m;

		if (pivot <= EXLINK_COLLINEAR_TOL)
			continue;			/* in the span of what is swept already */
		for (int i = c + 1; i <= k; i++)
		{
			const double f = bc[i] / pivot;
			double	   *bi = b + i * m;

			for (int j = i; j <= k; j++)
				bi[j] -= f * bc[j];
		}
	}
	group_visit(walk, t + 1, b, s + 1, &ii, &oi);

	walk->lmg[t] += ii - oe;
	*in_sum = ie + ii;
	*out_sum = oe + oi;
}

double
ShapleyGroupLMG(const double *corr, int k, const int *group_of, int g, double *lmg)
{
	GroupWalk	walk;
	const int	m = k + 1;
	int		   *order = palloc(sizeof(int) * m);
	int		   *start = palloc0(sizeof(int) * (g + 1));
	double	   *a = palloc(sizeof(double) * m * m);
	double		binom = 1.0;
	double		in_sum,
				out_sum;
	int			c = 0;

	Assert(g >= 1 && g <= EXLINK_LMG_MAX_DRIVERS);
	/* Columns grouped, in group order (stable within a group), the outcome last. */
	for (int t = 0; t < g; t++)
	{
		start[t] = c;
		for (int j = 0; j < k; j++)
			if (group_of[j] == t)
				order[c++] = j;
	}
	start[g] = c;
	Assert(c == k);
	order[k] = k;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < m; j++)
			a[i * m + j] = corr[order[i] * m + order[j]];

	walk.k = k;
	walk.m = m;
	walk.g = g;
	walk.start = start;
	walk.buf = palloc(sizeof(double) * (Size) g * m * m);
	walk.w = palloc(sizeof(double) * (g + 1));
	walk.lmg = lmg;
	walk.r2_full = 0.0;
	for (int s = 0; s < g; s++)
	{
		walk.w[s] = 1.0 / ((double) g * binom);
		binom = binom * (double) (g - 1 - s) / (double) (s + 1);
	}
	walk.w[g] = 0.0;
	for (int t = 0; t < g; t++)
		lmg[t] = 0.0;

	group_visit(&walk, 0, a, 0, &in_sum, &out_sum);

	pfree(walk.buf);
	pfree(walk.w);
	pfree(a);
	pfree(order);
	pfree(start);
	return walk.r2_full;
}

/*
 * The Wald F of the hypothesis that the betas of columns cols[0..r-1] are all zero: false when
 * the covariance is missing or singular.
 */
static bool
group_wald(const DriverGroupInput *in, const int *cols, int r, double nu, double *f, double *df1,
		   double *df2, double *p)
{
	double	   *v;
	double	   *b;
	double	   *x;
	double		quad = 0.0;
	double		den;
	gsl_matrix_view vv;
	gsl_vector_view bv,
				xv;
	int			status;

	if (in->vcov == NULL || r == 0)
		return false;
	if (in->method == INFERENCE_METHOD_INDEPENDENT)
		den = in->n - in->k - 1;
	else if (in->method == INFERENCE_METHOD_CR1)
		den = (double) in->clusters - 1;
	else if (in->method == INFERENCE_METHOD_SMALL_SAMPLE)
		den = nu - r + 1;		/* HTZ */
	else
		return false;
	if (!(den > 0))
		return false;
	v = palloc(sizeof(double) * r * r);
	b = palloc(sizeof(double) * r);
	x = palloc(sizeof(double) * r);
	for (int a = 0; a < r; a++)
	{
		b[a] = in->beta[cols[a]];
		if (isnan(b[a]))
			return false;
		for (int c = 0; c < r; c++)
		{
			v[a * r + c] = in->vcov[cols[a] * in->q + cols[c]];
			if (!isfinite(v[a * r + c]))
				return false;
		}
	}
	vv = gsl_matrix_view_array(v, r, r);
	bv = gsl_vector_view_array(b, r);
	xv = gsl_vector_view_array(x, r);
	status = gsl_linalg_cholesky_decomp1(&vv.matrix);
	if (status == GSL_SUCCESS)
		status = gsl_linalg_cholesky_solve(&vv.matrix, &bv.vector, &xv.vector);
	if (status != GSL_SUCCESS)
		return false;
	for (int a = 0; a < r; a++)
		quad += b[a] * x[a];
	*f = quad / r;
	if (in->method == INFERENCE_METHOD_SMALL_SAMPLE)
		*f *= den / nu;
	*df1 = r;
	*df2 = den;
	*p = gsl_cdf_fdist_Q(*f, (double) r, den);
	return isfinite(*f);
}

int
DriverGroupIds(int q, const char *const *group_of, int *gid)
{
	const char **gname = palloc(sizeof(char *) * Max(q, 1));
	int			g = 0;

	for (int j = 0; j < q; j++)
	{
		int			t;

		for (t = 0; t < g; t++)
			if (strcmp(gname[t], group_of[j]) == 0)
				break;
		if (t == g)
			gname[g++] = group_of[j];
		gid[j] = t;
	}
	pfree(gname);
	return g;
}

#define GROUP_NATTS 11

static Datum
num_or_null(double v, bool *isnull)
{
	*isnull = !isfinite(v);
	return Float8GetDatum(*isnull ? 0.0 : v);
}

Datum
DriverGroupsDatum(Oid elemtype, const DriverGroupInput *in, const char *const *group_of)
{
	const int	q = in->q;
	int		   *gid = palloc(sizeof(int) * Max(q, 1));
	const char **gname = palloc(sizeof(char *) * Max(q, 1));
	int			g = 0;
	int			gk = 0;			/* groups with a kept column */
	int		   *walk_of = palloc(sizeof(int) * Max(q, 1));	/* group -> walk index, -1 */
	double	   *lmg = palloc(sizeof(double) * Max(q, 1));
	double	   *rw = palloc(sizeof(double) * Max(q, 1));
	int		   *rank = palloc0(sizeof(int) * Max(q, 1));
	double	   *nu = palloc(sizeof(double) * Max(q, 1));
	Datum	   *elems;
	TupleDesc	tupdesc;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;

	/* Groups in the order of first appearance. */
	for (int j = 0; j < q; j++)
	{
		int			t;

		for (t = 0; t < g; t++)
			if (strcmp(gname[t], group_of[j]) == 0)
				break;
		if (t == g)
			gname[g++] = group_of[j];
		gid[j] = t;
	}
	for (int t = 0; t < g; t++)
	{
		walk_of[t] = -1;
		lmg[t] = rw[t] = NAN;
	}
	if (in->corr != NULL)
		for (int a = 0; a < in->k; a++)
		{
			int			t = gid[in->kept[a]];

			if (walk_of[t] < 0)
				walk_of[t] = gk++;
		}

	if (in->corr != NULL && gk > 0 && gk <= EXLINK_LMG_MAX_DRIVERS)
	{
		int		   *col_group = palloc(sizeof(int) * in->k);
		double	   *wl = palloc(sizeof(double) * gk);

		for (int a = 0; a < in->k; a++)
			col_group[a] = walk_of[gid[in->kept[a]]];
		(void) ShapleyGroupLMG(in->corr, in->k, col_group, gk, wl);
		for (int t = 0; t < g; t++)
			if (walk_of[t] >= 0)
				lmg[t] = wl[walk_of[t]];
	}
	if (in->corr != NULL)
		for (int t = 0; t < g; t++)
		{
			double		s = 0.0;
			bool		any = false;

			for (int a = 0; a < in->k; a++)
				if (gid[in->kept[a]] == t && !isnan(in->rw[in->kept[a]]))
				{
					s += in->rw[in->kept[a]];
					any = true;
				}
			if (any)
				rw[t] = s;
		}
	/* Competition ranking by LMG, by relative weight when LMG is not computed. */
	{
		const double *by = (gk <= EXLINK_LMG_MAX_DRIVERS) ? lmg : rw;

		for (int t = 0; t < g; t++)
		{
			if (isnan(by[t]))
				continue;
			rank[t] = 1;
			for (int u = 0; u < g; u++)
				if (!isnan(by[u]) && by[u] > by[t])
					rank[t]++;
		}
	}

	/* CR2: the HTZ df of every group's test (computed with the model's CR2, drivers.c). */
	for (int t = 0; t < g; t++)
		nu[t] = (in->method == INFERENCE_METHOD_SMALL_SAMPLE && in->htz_nu != NULL) ? in->htz_nu[t] : NAN;

	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	if (tupdesc->natts != GROUP_NATTS)
		elog(ERROR, "unexpected exlink.driver_group type");
	get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
	elems = palloc(sizeof(Datum) * Max(g, 1));
	for (int t = 0; t < g; t++)
	{
		Datum		v[GROUP_NATTS];
		bool		nl[GROUP_NATTS];
		Datum	   *cn = palloc(sizeof(Datum) * q);
		int		   *cols = palloc(sizeof(int) * q);
		int			nc = 0,
					r = 0;
		double		f = NAN,
					df1 = NAN,
					df2 = NAN,
					p = NAN;
		bool		share = in->corr != NULL && in->r2 > 0.0;

		for (int j = 0; j < q; j++)
			if (gid[j] == t)
				cn[nc++] = CStringGetTextDatum(in->names[j]);
		if (in->corr != NULL)
			for (int a = 0; a < in->k; a++)
				if (gid[in->kept[a]] == t)
					cols[r++] = in->kept[a];
		if (!group_wald(in, cols, r, nu[t], &f, &df1, &df2, &p))
			f = df1 = df2 = p = NAN;
		memset(nl, 0, sizeof(nl));
		v[0] = CStringGetTextDatum(gname[t]);
		v[1] = PointerGetDatum(construct_array(cn, nc, TEXTOID, -1, false, TYPALIGN_INT));
		v[2] = num_or_null(lmg[t], &nl[2]);
		v[3] = num_or_null(share ? 100.0 * lmg[t] / in->r2 : NAN, &nl[3]);
		v[4] = num_or_null(rw[t], &nl[4]);
		v[5] = num_or_null(share ? 100.0 * rw[t] / in->r2 : NAN, &nl[5]);
		v[6] = Int32GetDatum(rank[t]);
		nl[6] = rank[t] == 0;
		v[7] = num_or_null(f, &nl[7]);
		v[8] = num_or_null(df1, &nl[8]);
		v[9] = num_or_null(df2, &nl[9]);
		v[10] = num_or_null(p, &nl[10]);
		elems[t] = HeapTupleGetDatum(heap_form_tuple(tupdesc, v, nl));
	}
	return PointerGetDatum(construct_array(elems, g, elemtype, elemlen, elembyval, elemalign));
}
