/* drivers.c: key-driver analysis (exlink.driver_weights) from the moments of (outcome, drivers). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "nodes/pg_list.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "cluster_variance.h"
#include "driver_bootstrap.h"
#include "driver_groups.h"
#include "drivers.h"
#include "exlink.h"
#include "moments.h"
#include "release_policy.h"

/*
 * One fitted model.  Figures that are undefined on the data are NaN here and NULL in SQL.
 * Arrays are indexed by the caller's driver position (0..q-1), excluded drivers included.
 */
typedef struct DriverFit
{
	int			q;
	double		r2,
				adj_r2,
				condition_number;
	double	   *beta,
			   *beta_se,
			   *t,
			   *p_value,
			   *pratt,
			   *rw,
			   *rw_share,
			   *lmg,
			   *lmg_share,
			   *ci_low,
			   *ci_high,
			   *df_each;		/* df of each driver's t test (CR2: Satterthwaite, its own) */
	int		   *rank;			/* 0 = NULL */
	StringInfoData status;		/* empty = "ok" */
	/* Inference (see beta_variance). */
	int64		clusters;		/* G, -1 = not clustered */
	double		df;				/* of the t tests (the smallest driver's); NaN = none */
	double		level;			/* of the intervals */
	const char *inference;		/* INFERENCE_* or "unavailable: ..." */
	double	   *vcov;			/* [q * q] covariance of the standardized betas; NULL = none */
	double	   *group_nu;		/* CR2 with groups: each group's HTZ df (DriverGroupIds order) */
	/* For the group step (driver_groups.c): NULL corr = no model was fitted. */
	const double *corr;			/* [(nkept+1)^2] kept drivers first, outcome last */
	const int  *kept;			/* [nkept] */
	int			nkept;
	double		n;
	InferenceMethod method;
} DriverFit;

#define DRIVERS_DEFAULT_LEVEL 0.95

static void
add_status(DriverFit *fit, const char *msg)
{
	if (fit->status.len > 0)
		appendStringInfoString(&fit->status, "; ");
	appendStringInfoString(&fit->status, msg);
}

static double *
nan_array(int q)
{
	double	   *a = palloc(sizeof(double) * Max(q, 1));

	for (int i = 0; i < q; i++)
		a[i] = NAN;
	return a;
}

static void
fit_init(DriverFit *fit, int q)
{
	fit->q = q;
	fit->r2 = fit->adj_r2 = fit->condition_number = NAN;
	fit->beta = nan_array(q);
	fit->beta_se = nan_array(q);
	fit->t = nan_array(q);
	fit->p_value = nan_array(q);
	fit->pratt = nan_array(q);
	fit->rw = nan_array(q);
	fit->rw_share = nan_array(q);
	fit->lmg = nan_array(q);
	fit->lmg_share = nan_array(q);
	fit->ci_low = nan_array(q);
	fit->ci_high = nan_array(q);
	fit->df_each = nan_array(q);
	fit->rank = palloc0(sizeof(int) * Max(q, 1));
	initStringInfo(&fit->status);
	fit->clusters = -1;
	fit->df = NAN;
	if (fit->level == 0.0)
		fit->level = DRIVERS_DEFAULT_LEVEL;
	fit->inference = INFERENCE_INDEPENDENT;
	fit->vcov = NULL;
	fit->group_nu = NULL;
	fit->corr = NULL;
	fit->kept = NULL;
	fit->nkept = 0;
}

/* Beyond rounding: an eigenvalue below -tol * max, or R² above 1 + tol. */
#define INCONSISTENT_TOL 1e-8

static void
fit_inconsistent(DriverFit *fit)
{
	const char *inference = fit->inference;
	int64		clusters = fit->clusters;

	fit_init(fit, fit->q);
	fit->inference = inference;
	fit->clusters = clusters;
	add_status(fit, "inconsistent moments: correlation matrix not positive semi-definite");
}

/*
 * Symmetric eigen-decomposition of the k x k matrix a (row-major, preserved) into eval[k] and
 * evec (row-major, eigenvectors in columns), GSL's symmetric QR method.  The GSL workspace is
 * malloc'd: freed even when an error (or a cancel) unwinds through here.
 */
static bool
eigen_symmetric(const double *a, int k, double *eval, double *evec)
{
	double	   *work = palloc(sizeof(double) * k * k);
	gsl_matrix_view av = gsl_matrix_view_array(work, k, k);
	gsl_vector_view ev = gsl_vector_view_array(eval, k);
	gsl_matrix_view vv = gsl_matrix_view_array(evec, k, k);
	/* volatile: assigned inside PG_TRY and read after a longjmp. */
	gsl_eigen_symmv_workspace *volatile ws = NULL;
	volatile int status = GSL_SUCCESS;

	memcpy(work, a, sizeof(double) * k * k);
	PG_TRY();
	{
		ws = gsl_eigen_symmv_alloc(k);
		if (ws == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		status = gsl_eigen_symmv(&av.matrix, &ev.vector, &vv.matrix, ws);
		if (status == GSL_SUCCESS)
			status = gsl_eigen_symmv_sort(&ev.vector, &vv.matrix, GSL_EIGEN_SORT_VAL_DESC);
	}
	PG_FINALLY();
	{
		if (ws != NULL)
			gsl_eigen_symmv_free(ws);
	}
	PG_END_TRY();
	pfree(work);
	return status == GSL_SUCCESS;
}

/* Competition ranking ("1224") by descending value; NaN values get no rank. */
static void
rank_by(const double *v, int q, int *rank)
{
	for (int i = 0; i < q; i++)
	{
		rank[i] = 0;
		if (isnan(v[i]))
			continue;
		rank[i] = 1;
		for (int j = 0; j < q; j++)
			if (!isnan(v[j]) && v[j] > v[i])
				rank[i]++;
	}
}

/*
 * The working data of one fit, filled step by step by drivers_fit: the standardised scale of each
 * variable, the drivers kept in the model, their correlations and the eigen-decomposition of the
 * drivers' correlation matrix.  Arrays in CurrentMemoryContext.
 */
typedef struct DriverData
{
	const Moments *m;			/* variable 0 the outcome, 1..q the drivers */
	int			q;				/* drivers given */
	int			p;				/* q + 1 variables */
	double		n;				/* complete rows */
	double	   *sd;				/* [p] sqrt of each co-moment diagonal, 0 = no variance */
	int		   *idx;			/* [k] positions (0..q-1) of the drivers kept in the model */
	int			k;				/* how many are kept */
	double	   *full;			/* [(k+1)^2] correlations, kept drivers first, outcome last */
	double	   *rxx;			/* [k*k] R_xx, the leading k x k block of full */
	double	   *rxy;			/* [k] r_xy, correlations of the kept drivers with the outcome */
	double	   *eval;			/* [k] eigenvalues of R_xx, descending, negatives set to 0 */
	double	   *evec;			/* [k*k] eigenvectors in columns, row-major */
	int			rank;			/* eigenvalues above EXLINK_COLLINEAR_TOL * max */
	const char *inference;		/* which variance step: INFERENCE_* or "unavailable: ..." */
	InferenceMethod method;
	int64		clusters;		/* G when cluster-robust */
	const char *const *group_of;	/* [q] each driver's group (driver groups), or NULL */
} DriverData;

/*
 * Step 1, standardise and exclude: usable moments, the scale of each variable, the drivers with
 * variance.  False when no model can be fitted (the status says why).
 */
static bool
fit_standardise(const Moments *m, int q, const char *const *names, DriverData *d, DriverFit *fit)
{
	StringInfoData excluded;

	d->m = m;
	d->q = q;
	d->p = q + 1;
	d->n = (double) m->n;
	d->k = 0;
	if (m->n == 0 || m->p == 0)
	{
		add_status(fit, "no complete rows");
		return false;
	}

	/* Values so large that their squares overflow leave no usable moments. */
	for (int i = 0; i < MOMENTS_TRI_SIZE(d->p); i++)
		if (!isfinite(m->comoment[i]))
		{
			add_status(fit, "values too large: co-moments overflow");
			return false;
		}

	/*
	 * Zero variance: exactly zero co-moment, or a spread below what double precision can
	 * resolve around the mean (constant columns can leave rounding residue).
	 */
	d->sd = palloc(sizeof(double) * d->p);
	for (int i = 0; i < d->p; i++)
	{
		double		c = m->comoment[MOMENTS_TRI(d->p, i, i)];

		d->sd[i] = c > 0.0 ? sqrt(c) : 0.0;
		if (d->sd[i] <= 1e-13 * fabs(m->mean[i]) * sqrt(d->n))
			d->sd[i] = 0.0;
	}
	if (d->sd[0] == 0.0)
	{
		add_status(fit, "outcome has zero variance");
		return false;
	}
	d->idx = palloc(sizeof(int) * q);
	initStringInfo(&excluded);
	for (int j = 0; j < q; j++)
	{
		if (d->sd[j + 1] > 0.0)
			d->idx[d->k++] = j;
		else
			appendStringInfo(&excluded, "%s%s", excluded.len > 0 ? ", " : "", names[j]);
	}
	if (d->k == 0)
	{
		add_status(fit, "no driver has variance");
		return false;
	}
	if (excluded.len > 0)
	{
		StringInfoData s;

		initStringInfo(&s);
		appendStringInfo(&s, "zero variance, excluded: %s", excluded.data);
		add_status(fit, s.data);
	}
	return true;
}

/*
 * Step 2, the correlation matrix from co-moments: r_ij = C_ij / sqrt(C_ii C_jj).  The matrix for
 * the Shapley walk has the kept drivers first and the outcome last; rxx is its leading k x k
 * block, rxy its last column.
 */
static void
fit_correlations(DriverData *d)
{
	const int	k = d->k;
	const int	mm = k + 1;

	d->full = palloc(sizeof(double) * mm * mm);
	for (int a = 0; a < mm; a++)
		for (int b = a; b < mm; b++)
		{
			int			va = a < k ? d->idx[a] + 1 : 0;
			int			vb = b < k ? d->idx[b] + 1 : 0;
			double		r;

			if (a == b)
				r = 1.0;
			else
			{
				int			lo = Min(va, vb),
							hi = Max(va, vb);

				r = d->m->comoment[MOMENTS_TRI(d->p, lo, hi)] / (d->sd[va] * d->sd[vb]);
				r = Max(-1.0, Min(1.0, r));
			}
			d->full[a * mm + b] = d->full[b * mm + a] = r;
		}

	d->rxx = palloc(sizeof(double) * k * k);
	d->rxy = palloc(sizeof(double) * k);
	for (int a = 0; a < k; a++)
	{
		memcpy(d->rxx + a * k, d->full + a * mm, sizeof(double) * k);
		d->rxy[a] = d->full[a * mm + k];
	}
}

/* Step 3, Shapley/LMG: exact, over all 2^k subsets of the kept drivers, up to the limit. */
static void
fit_lmg(const DriverData *d, DriverFit *fit)
{
	if (d->k <= EXLINK_LMG_MAX_DRIVERS)
	{
		double	   *lmg = palloc(sizeof(double) * d->k);

		(void) ShapleyLMG(d->full, d->k, lmg);
		for (int a = 0; a < d->k; a++)
			fit->lmg[d->idx[a]] = lmg[a];
	}
	else
	{
		StringInfoData s;

		initStringInfo(&s);
		appendStringInfo(&s, "more than %d drivers: lmg not computed", EXLINK_LMG_MAX_DRIVERS);
		add_status(fit, s.data);
	}
}

/*
 * Step 4, R_xx = V diag(lambda) V': rank and the eigen-decomposition the relative weights and the
 * condition number use.  False when no figure means anything (decomposition failed, or the
 * moments are inconsistent: the fit is then reset with that status).
 */
static bool
fit_eigen(DriverData *d, DriverFit *fit)
{
	const int	k = d->k;

	d->eval = palloc(sizeof(double) * k);
	d->evec = palloc(sizeof(double) * k * k);
	d->rank = 0;
	if (!eigen_symmetric(d->rxx, k, d->eval, d->evec))
	{
		add_status(fit, "eigen-decomposition failed");
		return false;
	}
	/*
	 * Moments of real data give a positive semi-definite correlation matrix up to rounding; a
	 * crafted exlink.moments value can be consistent pair by pair (as input validation checks)
	 * and still not be: then no figure means anything.
	 */
	if (d->eval[k - 1] < -INCONSISTENT_TOL * Max(d->eval[0], 1.0))
	{
		fit_inconsistent(fit);
		return false;
	}
	for (int a = 0; a < k; a++)
	{
		if (d->eval[a] < 0.0)
			d->eval[a] = 0.0;
		if (d->eval[a] > EXLINK_COLLINEAR_TOL * Max(d->eval[0], 1.0))
			d->rank++;
	}
	return true;
}

/*
 * Step 5, Johnson (2000) relative weights: Lambda* = V diag(sqrt(lambda)) V' (the symmetric square
 * root of R_xx), beta* = Lambda*^+ r_xy, RW_j = sum_c Lambda*_jc^2 beta*_c^2.  With the
 * pseudo-inverse (zero eigenvalues dropped) they stay defined under collinearity, and
 * sum RW = r_xy' R_xx^+ r_xy = R^2 either way.  Returns that R^2.
 */
static double
fit_relative_weights(const DriverData *d, DriverFit *fit)
{
	const int	k = d->k;
	const double *evec = d->evec;
	const double *eval = d->eval;
	double	   *u = palloc0(sizeof(double) * k);	/* V' r_xy */
	double	   *bstar = palloc0(sizeof(double) * k);
	double	   *lstar = palloc0(sizeof(double) * k * k);
	double		r2_eigen = 0.0;

	for (int c = 0; c < d->rank; c++)
	{
		for (int a = 0; a < k; a++)
			u[c] += evec[a * k + c] * d->rxy[a];
		r2_eigen += u[c] * u[c] / eval[c];
	}
	for (int a = 0; a < k; a++)
	{
		for (int c = 0; c < d->rank; c++)
			bstar[a] += evec[a * k + c] * u[c] / sqrt(eval[c]);
		for (int b = 0; b < k; b++)
		{
			double		s = 0.0;

			for (int c = 0; c < d->rank; c++)
				s += evec[a * k + c] * sqrt(eval[c]) * evec[b * k + c];
			lstar[a * k + b] = s;
		}
	}
	for (int a = 0; a < k; a++)
	{
		double		s = 0.0;

		for (int b = 0; b < k; b++)
			s += lstar[a * k + b] * lstar[a * k + b] * bstar[b] * bstar[b];
		fit->rw[d->idx[a]] = s;
	}
	return r2_eigen;
}

/*
 * The variance step's result: the covariance of the standardized coefficients and the degrees of
 * freedom of each one's t statistic.
 */
typedef struct BetaVariance
{
	double	   *cov;			/* [k*k] row-major, in the kept drivers' order */
	double	   *df;				/* [k]; <= 0 or NaN: no standard error, t or p */
	bool		any;			/* some coefficient has a variance */
	double	   *group_nu;		/* CR2 with groups: [groups] HTZ df of each group's test, or NULL */
} BetaVariance;

/*
 * The variance step, the one place the covariance of the coefficients comes from.  Given the fit
 * so far (d: the kept drivers and their correlations; inv = R_xx^-1; beta; r2), fill v, by
 * d->method:
 *
 * independent rows (classical OLS, homoskedastic): cov = (1 - R^2) / (n - k - 1) R_xx^-1 on the
 * standardized scale, df = n - k - 1 (summary(lm)).
 *
 * clustered: the variance module (cluster_variance.h), on the standardized scale of
 * lm(scale(y) ~ scale(X)): CR2 with each coefficient's Satterthwaite df (the default with
 * per-member moments; clubSandwich's vcovCR(type = "CR2") and coef_test(test =
 * "Satterthwaite")), or CR1 on G - 1 df (sandwich::vcovCL(type = "HC1"); asked for, or merged
 * cells).
 *
 * unavailable: no standard errors, t or p.  N - K <= 0: none either.
 */
static void
beta_variance(const DriverData *d, const double *inv, const double *beta, double r2, BetaVariance *v)
{
	const int	k = d->k;
	double		df_ols = d->n - k - 1;

	v->cov = palloc(sizeof(double) * k * k);
	v->df = palloc(sizeof(double) * k);
	v->any = false;
	v->group_nu = NULL;
	for (int a = 0; a < k; a++)
		v->df[a] = NAN;
	if (df_ols <= 0 || d->method == INFERENCE_METHOD_UNAVAILABLE)
		return;
	if (d->method == INFERENCE_METHOD_CR1 || d->method == INFERENCE_METHOD_SMALL_SAMPLE)
	{
		int		   *x = palloc(sizeof(int) * k);
		ClusterDesign cd;
		bool		ok;

		for (int a = 0; a < k; a++)
			x[a] = d->idx[a] + 1;
		cd.m = d->m;
		cd.y = 0;
		cd.k = k;
		cd.x = x;
		cd.beta = beta;
		cd.rinv = inv;
		if (d->method == INFERENCE_METHOD_CR1)
			ok = ClusterVarianceCR1(&cd, v->cov, v->df);
		else if (d->group_of == NULL)
			ok = ClusterVarianceCR2(&cd, v->cov, v->df);
		else
		{
			/*
			 * Driver groups: the HTZ df of each group's Wald test (driver_groups.c), from the
			 * same pass over the members as CR2 (the kept columns of each group, in order).
			 */
			int		   *gid = palloc(sizeof(int) * Max(d->q, 1));
			int			g = DriverGroupIds(d->q, d->group_of, gid);
			int		   *start = palloc(sizeof(int) * (g + 1));
			int		   *cols = palloc(sizeof(int) * Max(k, 1));
			int		   *test_of = palloc(sizeof(int) * Max(g, 1));
			double	   *tnu = palloc(sizeof(double) * Max(g, 1));
			int			ntests = 0,
						c = 0;

			for (int t = 0; t < g; t++)
			{
				int			c0 = c;

				for (int a = 0; a < k; a++)
					if (gid[d->idx[a]] == t)
						cols[c++] = a;
				test_of[t] = -1;
				if (c > c0)
				{
					start[ntests] = c0;
					test_of[t] = ntests++;
				}
			}
			start[ntests] = c;
			ok = ClusterVarianceCR2HTZ(&cd, v->cov, v->df, ntests, start, cols, tnu);
			v->group_nu = palloc(sizeof(double) * Max(g, 1));
			for (int t = 0; t < g; t++)
				v->group_nu[t] = test_of[t] >= 0 ? tnu[test_of[t]] : NAN;
		}
		if (!ok)
			elog(ERROR, "exlink driver_weights: no per-member moments for clustered inference");
	}
	else
		for (int a = 0; a < k; a++)
		{
			v->df[a] = df_ols;
			for (int b = 0; b < k; b++)
				v->cov[a * k + b] = Max(1.0 - r2, 0.0) / df_ols * inv[a * k + b];
		}
	for (int a = 0; a < k; a++)
		v->any = v->any || v->df[a] > 0;
}

/*
 * Step 6, OLS on the standardized scale (full rank only): betas by Cholesky, R_xx beta = r_xy,
 * R^2 = r_xy' beta, Pratt's measure beta_j r_j, and from the variance step standard errors, t and
 * p.  False when the Cholesky factorisation fails (treated as collinear).
 */
static bool
fit_ols(const DriverData *d, DriverFit *fit)
{
	const int	k = d->k;
	double	   *chol = palloc(sizeof(double) * k * k);
	double	   *beta = palloc(sizeof(double) * k);
	gsl_matrix_view cv = gsl_matrix_view_array(chol, k, k);
	gsl_vector_const_view rv = gsl_vector_const_view_array(d->rxy, k);
	gsl_vector_view bv = gsl_vector_view_array(beta, k);
	int			status;
	double		r2 = 0.0;
	BetaVariance v;

	fit->condition_number = d->eval[0] / d->eval[k - 1];
	memcpy(chol, d->rxx, sizeof(double) * k * k);
	status = gsl_linalg_cholesky_decomp1(&cv.matrix);
	if (status == GSL_SUCCESS)
		status = gsl_linalg_cholesky_solve(&cv.matrix, &rv.vector, &bv.vector);
	if (status == GSL_SUCCESS)
		status = gsl_linalg_cholesky_invert(&cv.matrix);
	if (status != GSL_SUCCESS)
		return false;

	for (int a = 0; a < k; a++)
		r2 += d->rxy[a] * beta[a];
	fit->r2 = r2;
	beta_variance(d, chol, beta, r2, &v);
	fit->group_nu = v.group_nu;
	if (v.any)
	{
		fit->vcov = nan_array(d->q * d->q);
		for (int a = 0; a < k; a++)
			for (int c = 0; c < k; c++)
				fit->vcov[d->idx[a] * d->q + d->idx[c]] = v.cov[a * k + c];
		if (d->method == INFERENCE_METHOD_CR1 && d->clusters < MOMENTS_FEW_CLUSTERS)
			add_status(fit, psprintf("few clusters (%lld < %d): cluster-robust p-values and intervals may be too small",
									 (long long) d->clusters, MOMENTS_FEW_CLUSTERS));
	}
	for (int a = 0; a < k; a++)
	{
		int			j = d->idx[a];
		double		df = v.df[a];

		fit->beta[j] = beta[a];
		fit->pratt[j] = beta[a] * d->rxy[a];
		if (df > 0)
		{
			double		se = sqrt(Max(v.cov[a * k + a], 0.0));
			double		tq = gsl_cdf_tdist_Pinv((1.0 + fit->level) / 2.0, df);

			fit->df_each[j] = df;
			if (isnan(fit->df) || df < fit->df)
				fit->df = df;
			fit->beta_se[j] = se;
			if (se > 0.0)
			{
				fit->t[j] = beta[a] / se;
				fit->p_value[j] = 2.0 * gsl_cdf_tdist_Q(fabs(fit->t[j]), df);
				if (isfinite(tq))
				{
					fit->ci_low[j] = beta[a] - tq * se;
					fit->ci_high[j] = beta[a] + tq * se;
				}
			}
		}
	}
	if (v.any && r2 >= 1.0)
		add_status(fit, "perfect fit: no t or p");
	return true;
}

/*
 * Step 7, what follows from R^2: adjusted R^2 with the model's effective number of drivers (its
 * rank), shares of R^2 in percent, then the ranking (by LMG, or by relative weight without it).
 */
static void
fit_shares(const DriverData *d, DriverFit *fit)
{
	const double n = d->n;

	if (n - d->rank - 1 > 0)
		fit->adj_r2 = 1.0 - (1.0 - fit->r2) * (n - 1) / (n - d->rank - 1);
	for (int j = 0; j < d->q; j++)
		if (fit->r2 > 0.0)
		{
			fit->rw_share[j] = 100.0 * fit->rw[j] / fit->r2;
			fit->lmg_share[j] = 100.0 * fit->lmg[j] / fit->r2;
		}
	if (d->k <= EXLINK_LMG_MAX_DRIVERS)
		rank_by(fit->lmg, d->q, fit->rank);
	else
		rank_by(fit->rw, d->q, fit->rank);
}

/*
 * The analysis of a moments state whose variable 0 is the outcome and variables 1..q the
 * drivers, step by step.  Allocates in CurrentMemoryContext.
 */
static void
drivers_fit(const Moments *m, int q, const char *const *names, DriverFit *fit,
			InferenceMethod method, const char *inference, int64 clusters, double level,
			const char *const *group_of)
{
	DriverData	d;
	bool		full_rank;
	double		r2_eigen;

	fit->level = level;
	fit_init(fit, q);
	fit->inference = inference;
	fit->clusters = clusters;
	d.inference = inference;
	d.method = method;
	d.clusters = clusters;
	d.group_of = group_of;
	if (strncmp(inference, "unavailable", 11) == 0)
		add_status(fit, inference);
	if (!fit_standardise(m, q, names, &d, fit))
		return;
	fit_correlations(&d);
	fit->corr = d.full;
	fit->kept = d.idx;
	fit->nkept = d.k;
	fit->n = d.n;
	fit->method = method;
	fit_lmg(&d, fit);
	if (!fit_eigen(&d, fit))
		return;
	full_rank = (d.rank == d.k);
	r2_eigen = fit_relative_weights(&d, fit);

	fit->r2 = r2_eigen;
	if (full_rank)
		full_rank = fit_ols(&d, fit);
	if (!full_rank)
		add_status(fit, "collinear drivers: no betas, standard errors, t, p, pratt or condition number");
	if (d.n - d.rank - 1 <= 0)
		add_status(fit, "n <= drivers + 1: no standard errors, t, p or adjusted r2");

	if (fit->r2 > 1.0 + INCONSISTENT_TOL || r2_eigen > 1.0 + INCONSISTENT_TOL)
	{
		fit_inconsistent(fit);
		return;
	}
	fit_shares(&d, fit);
}

/*
 * The importance shares of one bootstrap draw (driver_bootstrap.h): the estimate's own steps, as
 * for independent rows (no variance step is needed for the shares).
 */
bool
DriverShares(const Moments *m, int q, double *rw_share, double *lmg_share)
{
	DriverFit	fit;
	char	  **names = palloc(sizeof(char *) * Max(q, 1));

	for (int j = 0; j < q; j++)
		names[j] = "";
	fit.level = DRIVERS_DEFAULT_LEVEL;
	drivers_fit(m, q, (const char *const *) names, &fit, INFERENCE_METHOD_INDEPENDENT,
				INFERENCE_INDEPENDENT, -1, DRIVERS_DEFAULT_LEVEL, NULL);
	if (fit.nkept != q || !(fit.r2 > 0.0))
		return false;
	for (int j = 0; j < q; j++)
	{
		if (!isfinite(fit.rw_share[j]) || !isfinite(fit.lmg_share[j]))
			return false;
		rw_share[j] = fit.rw_share[j];
		lmg_share[j] = fit.lmg_share[j];
	}
	return true;
}

/* --- SQL interface ------------------------------------------------------------------ */

#define DRIVER_NATTS 22		/* 0.3.0: b, its se and interval, bootstrap intervals of the shares at the end */
#define DRIVER_NATTS_DF 14		/* 0.3.0 before them; 0.2.0's type has 13 (no df), 0.1.0's 11 */
#define MODEL_NATTS 13
#define MODEL_NATTS_GROUPS 16	/* 0.3.0: groups, means, sds at the end */
#define MODEL_DRIVERS_ATT 8		/* the drivers array */

static Datum
float_or_null(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(*isnull ? 0.0 : v);
}

/*
 * Read a names text[] into C strings (in CurrentMemoryContext): one-dimensional, no NULLs.
 */
static int
names_from_array(ArrayType *arr, char ***out, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	if (count > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have one entry per driver", what)));
	*out = palloc(sizeof(char *) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain NULL", what)));
		(*out)[i] = TextDatumGetCString(elems[i]);
	}
	return count;
}

static void
check_names_count(int nnames, int q)
{
	if (nnames != q)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names must have one entry per driver"),
				 errdetail("There are %d names for %d drivers.", nnames, q)));
}

/*
 * The means (outcome first, then the drivers) or the sample standard deviations of a state, as
 * a float8[] (what a response curve or a key driver map needs to leave the standardized scale).
 */
static Datum
moments_scale_array(const Moments *m, bool sds)
{
	Datum	   *d = palloc(sizeof(Datum) * m->p);
	bool	   *nl = palloc(sizeof(bool) * m->p);
	int			dims[1] = {m->p};
	int			lbs[1] = {1};

	for (int i = 0; i < m->p; i++)
	{
		double		c = m->comoment[MOMENTS_TRI(m->p, i, i)];

		d[i] = float_or_null(sds ? sqrt(Max(c, 0.0) / (double) (m->n - 1)) : m->mean[i], &nl[i]);
	}
	return PointerGetDatum(construct_md_array(d, nl, 1, dims, lbs, FLOAT8OID, sizeof(float8),
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Build the exlink.driver_model value of a state (its labels, if any, are the driver names);
 * group_of: the group of each driver (driver_groups.c), or NULL.
 */
static Datum
drivers_result(FunctionCallInfo fcinfo, const Moments *m, int ngroup_of, char **group_of,
			   int draws, int64 seed)
{
	TupleDesc	tupdesc;
	TupleDesc	dtupdesc;
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	int			q;
	char	  **names;
	bool		suppressed;
	ReleaseFacts facts;
	const char *refusal;
	DriverFit	fit;
	Datum	   *elems;
	Datum		values[MODEL_NATTS_GROUPS];
	bool		nulls[MODEL_NATTS_GROUPS];
	int64		members;
	double	   *rw_low,
			   *rw_high,
			   *lmg_low,
			   *lmg_high;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "exlink.driver_weights must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	/* The 0.1.0 types (9 and 11 attributes) still work with this library. */
	if (tupdesc->natts != MODEL_NATTS_GROUPS && tupdesc->natts != MODEL_NATTS && tupdesc->natts != 9)
		elog(ERROR, "unexpected exlink.driver_model type");
	elemtype = get_element_type(TupleDescAttr(tupdesc, MODEL_DRIVERS_ATT)->atttypid);
	if (!OidIsValid(elemtype))
		elog(ERROR, "unexpected exlink.driver_model type");
	get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
	dtupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	if (dtupdesc->natts != DRIVER_NATTS && dtupdesc->natts != DRIVER_NATTS_DF && dtupdesc->natts != 13 && dtupdesc->natts != 11)
		elog(ERROR, "unexpected exlink.driver type");

	/* The number of drivers: from the rows, else from the names. */
	if (m->p > 0)
	{
		q = m->p - 1;
		if (m->nlabels > 0)
			check_names_count(m->nlabels, q);
	}
	else
		q = m->nlabels;
	if (q == 0)
		group_of = NULL;		/* no rows and no names: nothing to group */
	if (group_of != NULL && ngroup_of != q)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("groups must have one entry per driver"),
				 errdetail("There are %d groups entries for %d drivers.", ngroup_of, q)));
	if (m->nlabels > 0)
		names = m->labels;
	else
	{
		names = palloc(sizeof(char *) * Max(q, 1));
		for (int j = 0; j < q; j++)
			names[j] = psprintf("x%d", j + 1);
	}

	/* The guard first: below k distinct members nothing about the data is released. */
	MomentsReleaseFacts(m, &facts);
	refusal = ReleaseRefusal(&facts);
	suppressed = refusal != NULL;
	fit.level = 0.0;
	if (suppressed)
	{
		fit_init(&fit, q);
		add_status(&fit, psprintf("suppressed: %s", refusal));
	}
	else
	{
		int64		clusters;
		const char *why;
		InferenceMethod method = MomentsInference(m, &clusters, &why);
		const char *inference =
			method == INFERENCE_METHOD_INDEPENDENT ? INFERENCE_INDEPENDENT :
			method == INFERENCE_METHOD_UNAVAILABLE ? why :
			method == INFERENCE_METHOD_SMALL_SAMPLE ? INFERENCE_CR2 :
			m->cluster == CLUSTER_ROWS ? INFERENCE_CLUSTER : INFERENCE_CR1_CELLS;

		if (method != INFERENCE_METHOD_INDEPENDENT && method != INFERENCE_METHOD_UNAVAILABLE &&
			m->cluster == CLUSTER_ROWS && m->clusters != NULL && m->clusters->by_outer)
			inference = psprintf("%s, clustered by cluster (" INT64_FORMAT " clusters)", inference, clusters);
		else if (method == INFERENCE_METHOD_CR1 && m->inference == MOMENTS_INFERENCE_TWOWAY)
			inference = psprintf("%s (" INT64_FORMAT " members, " INT64_FORMAT " clusters, " INT64_FORMAT " cells)",
								 INFERENCE_TWOWAY, m->clusters->count,
								 m->clusters->twoway_by_cluster->count, m->clusters->twoway_cells->count);

		drivers_fit(m, q, (const char *const *) names, &fit, method, inference, clusters,
					m->level > 0.0 ? m->level : DRIVERS_DEFAULT_LEVEL, (const char *const *) group_of);
	}

	/*
	 * Importance intervals: the cluster bootstrap over the members (opt-in: draws > 0), only
	 * where the model is clustered on per-member moments and every share is defined.
	 */
	rw_low = nan_array(q);
	rw_high = nan_array(q);
	lmg_low = nan_array(q);
	lmg_high = nan_array(q);
	if (draws > 0 && !suppressed)
	{
		bool		all_shares = q > 0;

		for (int j = 0; j < q; j++)
			all_shares = all_shares && isfinite(fit.rw_share[j]) && isfinite(fit.lmg_share[j]);
		if (m->cluster != CLUSTER_ROWS || m->clusters == NULL || fit.clusters < 0)
			add_status(&fit, "bootstrap: needs per-member moments (the rows with a member)");
		else if (m->inference == MOMENTS_INFERENCE_TWOWAY)
			add_status(&fit, "bootstrap: not with two-way clustering (it resamples members)");
		else if (!all_shares)
			add_status(&fit, "bootstrap: not every share is defined");
		else
		{
			int			used = DriverBootstrap(m, q, draws, seed, fit.level, rw_low, rw_high, lmg_low, lmg_high);

			if (used < draws)
				add_status(&fit, psprintf("bootstrap: %d of %d draws gave no model", draws - used, draws));
		}
	}

	elems = palloc(sizeof(Datum) * Max(q, 1));
	for (int j = 0; j < q; j++)
	{
		Datum		dv[DRIVER_NATTS];
		bool		dn[DRIVER_NATTS];

		dv[0] = CStringGetTextDatum(names[j]);
		dn[0] = false;
		dv[1] = float_or_null(fit.beta[j], &dn[1]);
		dv[2] = float_or_null(fit.beta_se[j], &dn[2]);
		dv[3] = float_or_null(fit.t[j], &dn[3]);
		dv[4] = float_or_null(fit.p_value[j], &dn[4]);
		dv[5] = float_or_null(fit.pratt[j], &dn[5]);
		dv[6] = float_or_null(fit.rw[j], &dn[6]);
		dv[7] = float_or_null(fit.rw_share[j], &dn[7]);
		dv[8] = float_or_null(fit.lmg[j], &dn[8]);
		dv[9] = float_or_null(fit.lmg_share[j], &dn[9]);
		dv[10] = Int32GetDatum(fit.rank[j]);
		dn[10] = fit.rank[j] == 0;
		dv[11] = float_or_null(fit.ci_low[j], &dn[11]);
		dv[12] = float_or_null(fit.ci_high[j], &dn[12]);
		dv[13] = float_or_null(fit.df_each[j], &dn[13]);
		/*
		 * The slope on the outcome's and the driver's own units: b = beta sd_y / sd_x.  Rescaling
		 * a column leaves the hat matrix, hence CR2's adjustment and its Satterthwaite df, as
		 * they are: the standard error and interval scale by the same factor (lm(y ~ X) with
		 * clubSandwich gives the same figures).
		 */
		{
			double		cy = m->p == q + 1 ? m->comoment[MOMENTS_TRI(m->p, 0, 0)] : NAN;
			double		cx = m->p == q + 1 ? m->comoment[MOMENTS_TRI(m->p, j + 1, j + 1)] : NAN;
			double		f = (cy > 0.0 && cx > 0.0) ? sqrt(cy / cx) : NAN;

			dv[14] = float_or_null(fit.beta[j] * f, &dn[14]);
			dv[15] = float_or_null(fit.beta_se[j] * f, &dn[15]);
			dv[16] = float_or_null(fit.ci_low[j] * f, &dn[16]);
			dv[17] = float_or_null(fit.ci_high[j] * f, &dn[17]);
		}
		dv[18] = float_or_null(rw_low[j], &dn[18]);
		dv[19] = float_or_null(rw_high[j], &dn[19]);
		dv[20] = float_or_null(lmg_low[j], &dn[20]);
		dv[21] = float_or_null(lmg_high[j], &dn[21]);
		elems[j] = HeapTupleGetDatum(heap_form_tuple(dtupdesc, dv, dn));
	}

	members = MomentsMembers(m);
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int64GetDatum(m->n);
	values[1] = Int64GetDatum(m->skipped);
	values[2] = Int64GetDatum(members);
	nulls[0] = nulls[1] = suppressed;
	nulls[2] = suppressed || members < 0;
	values[3] = float_or_null(fit.r2, &nulls[3]);
	values[4] = float_or_null(fit.adj_r2, &nulls[4]);
	values[5] = float_or_null(fit.condition_number, &nulls[5]);
	values[6] = BoolGetDatum(suppressed);
	values[7] = CStringGetTextDatum(fit.status.len > 0 ? fit.status.data : "ok");
	values[8] = PointerGetDatum(construct_array(elems, q, elemtype, elemlen, elembyval, elemalign));
	values[9] = Int64GetDatum(fit.clusters);
	nulls[9] = suppressed || fit.clusters < 0;
	values[10] = float_or_null(fit.df, &nulls[10]);
	values[11] = CStringGetTextDatum(fit.inference);
	nulls[11] = suppressed;
	nulls[12] = true;
	if (fit.vcov != NULL && q > 0)
	{
		Datum	   *vd = palloc(sizeof(Datum) * q * q);
		bool	   *vn = palloc(sizeof(bool) * q * q);
		int			dims[2] = {q, q};
		int			lbs[2] = {1, 1};

		for (int a = 0; a < q * q; a++)
			vd[a] = float_or_null(fit.vcov[a], &vn[a]);
		values[12] = PointerGetDatum(construct_md_array(vd, vn, 2, dims, lbs, FLOAT8OID,
														sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		nulls[12] = false;
	}
	if (tupdesc->natts == MODEL_NATTS_GROUPS)
	{
		nulls[13] = nulls[14] = nulls[15] = true;
		if (group_of != NULL)
		{
			DriverGroupInput gi;
			Oid			gtype = get_element_type(TupleDescAttr(tupdesc, 13)->atttypid);

			if (!OidIsValid(gtype))
				elog(ERROR, "unexpected exlink.driver_model type");
			gi.q = q;
			gi.names = (const char *const *) names;
			gi.k = fit.nkept;
			gi.kept = fit.kept;
			gi.corr = fit.corr;
			gi.beta = fit.beta;
			gi.rw = fit.rw;
			gi.vcov = fit.vcov;
			gi.r2 = fit.r2;
			gi.n = fit.n;
			gi.method = fit.method;
			gi.clusters = fit.clusters;
			gi.htz_nu = fit.group_nu;
			values[13] = DriverGroupsDatum(gtype, &gi, (const char *const *) group_of);
			nulls[13] = false;
		}
		if (!suppressed && m->n > 1 && m->p == q + 1)
		{
			values[14] = moments_scale_array(m, false);
			values[15] = moments_scale_array(m, true);
			nulls[14] = nulls[15] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * What a transition function remembers per query (fn_extra).  The names argument of the row
 * form: when it is a constant (or a parameter), it is read once and kept here; otherwise it is
 * read and compared on every row.  The call arguments of the grouped and bootstrap forms
 * (groups, bootstrap draws, seed: constants) are read once and put in every state.
 */
typedef struct DriversCallCache
{
	bool		names_init;		/* stable known */
	bool		stable;
	int			count;			/* -1 until read */
	char	  **names;
	bool		call_init;		/* the call arguments below are read */
	int			ngroups;
	char	  **groups;
	int32		draws;
	int64		seed;
} DriversCallCache;

static DriversCallCache *
drivers_call_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(DriversCallCache));
	return (DriversCallCache *) fcinfo->flinfo->fn_extra;
}

/*
 * get_fn_expr_arg_stable() cannot tell for a transition function (its fn_expr has PARAM_EXEC
 * placeholders), so look at the aggregate call itself: its argument argno - 1 (the state is
 * argument 0 of the transition function).  Constant folding has made ARRAY['a', 'b'] a Const.
 */
static bool
names_arg_is_constant(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Node	   *arg;

	if (aggref == NULL || argno - 1 >= list_length(aggref->args))
		return false;
	arg = (Node *) ((TargetEntry *) list_nth(aggref->args, argno - 1))->expr;
	return IsA(arg, Const) ||
		(IsA(arg, Param) && ((Param *) arg)->paramkind == PARAM_EXTERN);
}

static void
drivers_names_arg(FunctionCallInfo fcinfo, int argno, Moments *m, int q)
{
	DriversCallCache *cache = drivers_call_cache(fcinfo);
	char	  **names;
	int			count;

	if (!cache->names_init)
	{
		cache->stable = names_arg_is_constant(fcinfo, argno);
		cache->count = -1;
		cache->names_init = true;
	}
	if (cache->stable && cache->count >= 0)
	{
		names = cache->names;
		count = cache->count;
	}
	else if (cache->stable)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		count = names_from_array(PG_GETARG_ARRAYTYPE_P_COPY(argno), &names, "names");
		MemoryContextSwitchTo(old);
		cache->names = names;
		cache->count = count;
	}
	else
		count = names_from_array(PG_GETARG_ARRAYTYPE_P(argno), &names, "names");

	if (q > 0)
		check_names_count(count, q);
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names must have one entry per driver")));
	/* A constant already attached to this state needs no comparison. */
	if (!(cache->stable && m->nlabels > 0))
		MomentsSetLabels(m, count, names);
}

/*
 * An argument of the aggregate call (position argno, 0-based) that the final function needs:
 * it must be a constant or a query parameter (PARAM_EXTERN: a prepared statement's generic
 * plan, the sixth EXECUTE on), read once per query by the transition function and carried in
 * the state (Moments.has_call_args), since a parallel plan's finalize step does not see the
 * call's arguments.  A parameter's value is the row's own argument argno + 1 (the state is
 * argument 0), the same on every row.  False: the argument is NULL.
 */
static bool
call_const_arg(FunctionCallInfo fcinfo, int argno, const char *what, const char *hint, Datum *value)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Node	   *arg;

	if (aggref == NULL)			/* a window aggregate: no Aggref to read the constants from */
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this form of exlink.driver_weights cannot be used as a window function"),
				 PG_NARGS() > 8 ?
				 errdetail("Its groups, bootstrap draws and seed are read once, from the aggregate call.") :
				 errdetail("Its groups are read once, from the aggregate call."),
				 errhint("Aggregate with GROUP BY instead of OVER.")));
	if (list_length(aggref->args) <= argno)
		elog(ERROR, "exlink.driver_weights transition function called without its %s argument", what);
	arg = (Node *) ((TargetEntry *) list_nth(aggref->args, argno))->expr;
	if (IsA(arg, Param) && ((Param *) arg)->paramkind == PARAM_EXTERN)
	{
		if (PG_ARGISNULL(argno + 1))
			return false;
		*value = PG_GETARG_DATUM(argno + 1);
		return true;
	}
	if (!IsA(arg, Const))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a constant%s", what, strcmp(what, "groups") == 0 ? " array" : ""),
				 errdetail(strcmp(what, "groups") == 0 ? "The group of each driver is read once, from the aggregate call." :
						   "It is read once, from the aggregate call."),
				 errhint("%s", hint)));
	if (((Const *) arg)->constisnull)
		return false;
	*value = ((Const *) arg)->constvalue;
	return true;
}

/*
 * The groups (aggregate argument 5) and, in the bootstrap form, the draws and seed (6, 7) of
 * the call, into the state (m->has_call_args: a state that has them has these, constants).
 */
static void
drivers_call_args(FunctionCallInfo fcinfo, Moments *m)
{
	DriversCallCache *cache;

	if (m->has_call_args)
		return;
	cache = drivers_call_cache(fcinfo);
	if (!cache->call_init)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		Datum		v;

		cache->groups = NULL;
		cache->ngroups = 0;
		if (call_const_arg(fcinfo, 5, "groups",
						   "Write the groups as an array literal or a query parameter, e.g. ARRAY['tenure', 'class', 'class'].", &v))
			cache->ngroups = names_from_array(DatumGetArrayTypeP(v), &cache->groups, "groups");
		cache->draws = 0;
		cache->seed = EXLINK_BOOTSTRAP_DEFAULT_SEED;
		if (PG_NARGS() >= 9)
		{
			if (call_const_arg(fcinfo, 6, "bootstrap", "Write the number of draws as a literal or a query parameter, e.g. 999.", &v))
			{
				int32		b = DatumGetInt32(v);

				if (b < 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("bootstrap must be 0 (none) or a number of draws")));
				if (b > EXLINK_BOOTSTRAP_MAX_DRAWS)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("at most %d bootstrap draws", EXLINK_BOOTSTRAP_MAX_DRAWS)));
				cache->draws = b;
			}
			if (call_const_arg(fcinfo, 7, "seed", "Write the seed as a literal or a query parameter, e.g. 42.", &v))
				cache->seed = DatumGetInt64(v);
		}
		MemoryContextSwitchTo(old);
		cache->call_init = true;
	}
	MomentsSetCallArgs(m, cache->ngroups, cache->groups, cache->draws, cache->seed);
}

/*
 * The cluster argument written as a NULL literal: the model by member (as the six-argument
 * form); a NULL cluster on a row otherwise skips the row.
 */
static bool
cluster_arg_null_const(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref;
	Node	   *arg;

	if (!PG_ARGISNULL(argno))
		return false;
	aggref = AggGetAggref(fcinfo);
	if (aggref == NULL || list_length(aggref->args) < argno)
		return false;
	arg = (Node *) ((TargetEntry *) list_nth(aggref->args, argno - 1))->expr;
	return IsA(arg, Const) && ((Const *) arg)->constisnull;
}

/*
 * Transition: outcome in variable 0, drivers in 1..q; member (argument 3, the guarded form),
 * names and inference optional.  With a member, rows go to the per-member table
 * (cluster-robust inference) unless the first row asked for inference => 'independent'.
 */
static Datum
drivers_trans(FunctionCallInfo fcinfo, int names_argno, int inference_argno, int cluster_argno)
{
	double		x[MOMENTS_MAX_DIM];
	int			q = 0;
	bool		ok = false;
	bool		created = PG_ARGISNULL(0);
	Moments    *m;

	if (!PG_ARGISNULL(2))
		ok = ExlinkArrayRow(PG_GETARG_ARRAYTYPE_P(2), MOMENTS_MAX_DIM - 1, &q, x + 1);
	if (q > 0 && !PG_ARGISNULL(0))
	{
		Moments    *s = (Moments *) PG_GETARG_POINTER(0);

		if (s->p > 0 && s->p != q + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("all drivers arrays of a group must have the same length"),
					 errdetail("The group started with %d drivers; this row has %d.", s->p - 1, q)));
	}
	m = MomentsTransState(fcinfo, q > 0 ? q + 1 : 0, created && ExlinkAggGuarded(fcinfo, 3));
	if (m->track_members)
	{
		if (inference_argno >= 0)
			MomentsSetInference(m, ExlinkInferenceArg(fcinfo, inference_argno));
		if (created && m->inference != MOMENTS_INFERENCE_INDEPENDENT)
			MomentsUseClusters(m);
	}
	if (names_argno >= 0 && !PG_ARGISNULL(names_argno))
		drivers_names_arg(fcinfo, names_argno, m, q);
	if (PG_NARGS() >= 7)
		drivers_call_args(fcinfo, m);

	if (ok && PG_ARGISNULL(1))
		ok = false;
	if (ok)
	{
		x[0] = PG_GETARG_FLOAT8(1);
		ok = isfinite(x[0]);
	}
	if (ok && m->cluster == CLUSTER_ROWS)
	{
		if (!(cluster_argno >= 0 && !cluster_arg_null_const(fcinfo, cluster_argno) ?
			  MomentsClusterRowOuter(m, fcinfo, 3, cluster_argno, x) :
			  MomentsClusterRow(m, fcinfo, 3, x)))
			m->skipped++;
		PG_RETURN_POINTER(m);
	}
	if (ok && m->track_members)
		ok = ExlinkMemberRow(fcinfo, 3, &m->members, m->cxt);
	if (!ok)
	{
		m->skipped++;
		PG_RETURN_POINTER(m);
	}
	MomentsAccumulate(m, x);
	PG_RETURN_POINTER(m);
}

/* driver_weights(outcome, drivers [, member]) */
PG_FUNCTION_INFO_V1(exlink_driver_weights_transfn);
Datum
exlink_driver_weights_transfn(PG_FUNCTION_ARGS)
{
	return drivers_trans(fcinfo, -1, -1, -1);
}

/* driver_weights(outcome, drivers [, member], names [, inference]) */
PG_FUNCTION_INFO_V1(exlink_driver_weights_named_transfn);
Datum
exlink_driver_weights_named_transfn(PG_FUNCTION_ARGS)
{
	if (PG_NARGS() >= 6)
		return drivers_trans(fcinfo, 4, 5, -1);
	return drivers_trans(fcinfo, PG_NARGS() - 1, -1, -1);
}

/*
 * driver_weights(outcome, drivers, member, names, inference, groups, cluster): the variance
 * clustered by cluster (a coarser unit holding the members, e.g. a team), the guard still on
 * members.  A row with a NULL or empty cluster is skipped and counted, as one without a member;
 * a NULL literal gives the model by member.
 */
PG_FUNCTION_INFO_V1(exlink_driver_weights_cluster_transfn);
Datum
exlink_driver_weights_cluster_transfn(PG_FUNCTION_ARGS)
{
	return drivers_trans(fcinfo, 4, 5, 7);
}

PG_FUNCTION_INFO_V1(exlink_driver_weights_finalfn);
Datum
exlink_driver_weights_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = ExlinkFinalState(fcinfo, "exlink_driver_weights_finalfn");

	if (m == NULL)
		PG_RETURN_NULL();
	return drivers_result(fcinfo, MomentsResolve(m), 0, NULL, 0, 0);
}

/*
 * The state of the grouped and bootstrap forms, with the call arguments its rows put in it
 * (never absent: a state is made by a row).
 */
static Moments *
call_args_state(FunctionCallInfo fcinfo, const char *fname)
{
	Moments    *m = ExlinkFinalState(fcinfo, fname);

	if (m != NULL && !m->has_call_args)
		elog(ERROR, "%s: state without the groups of its aggregate call", fname);
	return m;
}

/* driver_weights(outcome, drivers, member, names, inference, groups) */
PG_FUNCTION_INFO_V1(exlink_driver_weights_grouped_finalfn);
Datum
exlink_driver_weights_grouped_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = call_args_state(fcinfo, "exlink_driver_weights_grouped_finalfn");

	if (m == NULL)
		PG_RETURN_NULL();
	return drivers_result(fcinfo, MomentsResolve(m), m->ncall_groups, m->call_groups, 0, 0);
}

/*
 * driver_weights(outcome, drivers, member, names, inference, groups, bootstrap, seed): the
 * bootstrap intervals of the shares (driver_bootstrap.c) from `bootstrap` draws (0 or NULL:
 * none), seeded by seed (NULL: EXLINK_BOOTSTRAP_DEFAULT_SEED), as the state carries them.
 */
PG_FUNCTION_INFO_V1(exlink_driver_weights_bootstrap_finalfn);
Datum
exlink_driver_weights_bootstrap_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = call_args_state(fcinfo, "exlink_driver_weights_bootstrap_finalfn");

	if (m == NULL)
		PG_RETURN_NULL();
	return drivers_result(fcinfo, MomentsResolve(m), m->ncall_groups, m->call_groups,
						  m->call_draws, m->call_seed);
}

/* driver_weights(m exlink.moments [, names text[] [, inference text]]): variable 1 is the outcome. */
PG_FUNCTION_INFO_V1(exlink_driver_weights_moments);
Datum
exlink_driver_weights_moments(PG_FUNCTION_ARGS)
{
	MomentsValue *v;
	Moments    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	v = PG_GETARG_MOMENTS(0);
	if (v->p < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("driver weights need moments of an outcome and at least one driver"),
				 errdetail("The value has %d variable.", (int) v->p)));
	m = MomentsFromValue(v, CurrentMemoryContext);
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		char	  **names;
		int			count = names_from_array(PG_GETARG_ARRAYTYPE_P(1), &names, "names");

		check_names_count(count, v->p - 1);
		MomentsSetLabels(m, count, names);
	}
	if (PG_NARGS() > 2)
		m->inference = ExlinkInferenceArg(fcinfo, 2);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		char	  **group_of;
		int			count = names_from_array(PG_GETARG_ARRAYTYPE_P(3), &group_of, "groups");

		return drivers_result(fcinfo, MomentsResolve(m), count, group_of, 0, 0);
	}
	return drivers_result(fcinfo, MomentsResolve(m), 0, NULL, 0, 0);
}

/* exlink.driver_weights_cells (cell_clusters.c) shares the names argument and the result. */
void
DriversNamesArg(FunctionCallInfo fcinfo, int argno, Moments *m, int q)
{
	drivers_names_arg(fcinfo, argno, m, q);
}

Datum
DriversResult(FunctionCallInfo fcinfo, const Moments *m)
{
	return drivers_result(fcinfo, m, 0, NULL, 0, 0);
}
