/* cluster_variance.c: the one variance step of clustered inference (CR1, CR2 + Satterthwaite, jackknife). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "miscadmin.h"

#include "cluster_variance.h"
#include "comoments.h"

/*
 * Symmetric eigen-decomposition of the n x n matrix a (row-major, destroyed): eval[n], evec
 * (row-major, eigenvectors in columns), GSL's symmetric QR method with a workspace the caller
 * allocated once (called twice per cluster).  Eigenvalues are accurate to about eps times the
 * largest, which is all CR2 needs: F h(B) F^+ is a bounded operator, so an eigenvalue of
 * X_g'X_g at rounding level contributes at rounding level (docs/statistics.md, section 7).
 */
static bool
sym_eigen(gsl_eigen_symmv_workspace *ws, int n, double *a, double *eval, double *evec)
{
	/*
	 * 2 x 2 (a one-slope model: the correlations' df, run per cluster): one Jacobi rotation
	 * (Numerical Recipes' form, accurate to eps times the largest eigenvalue, as GSL), without
	 * GSL's setup, which cost more than the rotation in linked_correlation's final function.
	 */
	if (n == 2)
	{
		double		app = a[0],
					apq = a[1],
					aqq = a[3];
		double		t,
					c,
					sn;

		if (!isfinite(app) || !isfinite(apq) || !isfinite(aqq))
			return false;
		if (apq == 0.0)
			t = 0.0;
		else
		{
			double		theta = (aqq - app) / (2.0 * apq);

			t = fabs(theta) > 1e150 ? 0.5 / theta
				: (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
		}
		c = 1.0 / sqrt(t * t + 1.0);
		sn = t * c;
		eval[0] = app - t * apq;
		eval[1] = aqq + t * apq;
		/* eigenvectors in columns: (c, -s) and (s, c) */
		evec[0] = c;
		evec[1] = sn;
		evec[2] = -sn;
		evec[3] = c;
		return true;
	}
	else
	{
		gsl_matrix_view av = gsl_matrix_view_array(a, n, n);
		gsl_vector_view ev = gsl_vector_view_array(eval, n);
		gsl_matrix_view vv = gsl_matrix_view_array(evec, n, n);

		return gsl_eigen_symmv(&av.matrix, &ev.vector, &vv.matrix, ws) == GSL_SUCCESS;
	}
}

/* --- the scaled design ------------------------------------------------------------------ */

static inline double
comoment(const Moments *m, int i, int j)
{
	return m->comoment[MOMENTS_TRI(m->p, Min(i, j), Max(i, j))];
}

static inline double
sd_of(const Moments *m, int i)
{
	double		c = comoment(m, i, i);

	return c > 0.0 ? sqrt(c) : 0.0;
}

int64
ClusterDesignClusters(const ClusterDesign *d)
{
	if (d->m->cluster == CLUSTER_ROWS && d->m->clusters != NULL)
		return d->m->clusters->count;
	return 0;
}

/*
 * Member g's slot (n_g, means m_g, co-moments C_g about m_g) gives its sums about the overall
 * means xbar: Q_g = C_g + n_g (m_g - xbar)(m_g - xbar)' and L_g = n_g (m_g - xbar).  In the
 * scaled design: U = [n_g/N, L_x'/(sqrt N sd); ., Q_xx/(sd sd')], and with residuals
 * e = (y - ybar)/sd_y - sum_l beta_l (x_l - xbar_l)/sd_l: s = [sum e / sqrt N; sum z e].
 */
void
ClusterDesignSums(const ClusterDesign *d, int64 g, double *U, double *s)
{
	const Moments *m = d->m;
	const int	p = m->p,
				k = d->k,
				q = k + 1;
	const double *slot = ClusterTableSlot(m->clusters, g);
	const double ng = slot[0];
	const double *cg = slot + 1 + p;
	const double rootN = sqrt((double) m->n);
	double		sdy = sd_of(m, d->y);
	double		dy = slot[1 + d->y] - m->mean[d->y];
	double		e_sum = dy / sdy;

#define Q_G(i, j) (cg[MOMENTS_TRI(p, Min(i, j), Max(i, j))] + \
				   ng * (slot[1 + (i)] - m->mean[i]) * (slot[1 + (j)] - m->mean[j]))

	U[0] = ng / (double) m->n;
	for (int a = 0; a < k; a++)
	{
		int			xa = d->x[a];
		double		sda = sd_of(m, xa);
		double		da = slot[1 + xa] - m->mean[xa];
		double		sa = Q_G(xa, d->y) / sdy;

		e_sum -= d->beta[a] * da / sda;
		U[a + 1] = U[(a + 1) * q] = ng * da / (rootN * sda);
		for (int c = a; c < k; c++)
		{
			int			xc = d->x[c];

			U[(a + 1) * q + c + 1] = U[(c + 1) * q + a + 1] = Q_G(xa, xc) / (sda * sd_of(m, xc));
		}
		for (int l = 0; l < k; l++)
			sa -= d->beta[l] * Q_G(xa, d->x[l]) / sd_of(m, d->x[l]);
		s[a + 1] = sa / sda;
	}
	s[0] = ng * e_sum / rootN;
#undef Q_G
}

/* --- CR1 ----------------------------------------------------------------------------------- */

/*
 * V = c R^-1 (S M S / sd_y^2) R^-1 with M = sum_g s_g s_g' on the original scale
 * (MomentsClusterMeat: per-member moments or a cell summary), S = diag(1 / sd_x), c = G/(G-1)
 * (N-1)/(N-K), K = k + 1: the slopes' block of vcovCL(type = "HC1") on the standardized scale.
 */
static bool
cr1_one(const ClusterDesign *d, double *cov, double *df)
{
	const Moments *m = d->m;
	const int	k = d->k;
	double		G = (double) MomentsClusters(m);
	double		n = (double) m->n;
	double		sdy = sd_of(m, d->y);
	double	   *b = palloc(sizeof(double) * k);
	double	   *M = palloc(sizeof(double) * k * k);
	double	   *T = palloc(sizeof(double) * k * k);
	double		factor = G / (G - 1.0) * (n - 1.0) / (n - (k + 1));

	for (int a = 0; a < k; a++)
		b[a] = d->beta[a] * sdy / sd_of(m, d->x[a]);
	if (!MomentsClusterMeat(m, d->y, d->x, k, b, M))
		return false;
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
			M[a * k + c] /= sd_of(m, d->x[a]) * sd_of(m, d->x[c]) * sdy * sdy;
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
		{
			double		acc = 0.0;

			for (int e = 0; e < k; e++)
				acc += d->rinv[a * k + e] * M[e * k + c];
			T[a * k + c] = acc;
		}
	for (int a = 0; a < k; a++)
	{
		for (int c = 0; c < k; c++)
		{
			double		acc = 0.0;

			for (int e = 0; e < k; e++)
				acc += T[a * k + e] * d->rinv[e * k + c];
			cov[a * k + c] = factor * acc;
		}
		df[a] = G - 1.0;
	}
	return true;
}

/* --- two-way clustering (Cameron, Gelbach & Miller 2011) ------------------------------------ */

/* A resolved state of two-way rows: its table by member points at those by cluster and cell. */
static bool
is_twoway(const Moments *m)
{
	return m->cluster == CLUSTER_ROWS && m->clusters != NULL && m->clusters->twoway_by_cluster != NULL;
}

/*
 * The three groupings of two-way clustering and their signs: by member (+), by cluster (+),
 * by member-x-cluster cell (-).  Each is an ordinary table of cluster slots, so the one-way
 * formulas apply to each as they are, on a shallow copy of the state.
 */
static void
twoway_part(const Moments *m, int i, Moments *copy, double *sign)
{
	memcpy(copy, m, sizeof(Moments));
	copy->clusters = (ClusterTable *) (i == 0 ? m->clusters :
									   i == 1 ? m->clusters->twoway_by_cluster :
									   m->clusters->twoway_cells);
	*sign = i == 2 ? -1.0 : 1.0;
}

/*
 * The eigenvalue fix of a symmetric k x k matrix v (row-major): negative eigenvalues set to 0,
 * v = sum over the others of lambda u u' (sandwich's vcovCL(fix = TRUE), here on the
 * standardized slopes' covariance, the matrix exlink reports).  False when the decomposition
 * fails (v is then left as it was).
 */
static bool
psd_fix(int k, double *v)
{
	double	   *a = palloc(sizeof(double) * k * k);
	double	   *lam = palloc(sizeof(double) * k);
	double	   *u = palloc(sizeof(double) * k * k);
	gsl_eigen_symmv_workspace *ws;
	bool		ok,
				negative = false;

	memcpy(a, v, sizeof(double) * k * k);
	ws = gsl_eigen_symmv_alloc(k);
	if (ws == NULL)
		return false;
	/* No palloc or interrupt between alloc and free: nothing can jump past the free. */
	ok = sym_eigen(ws, k, a, lam, u);
	gsl_eigen_symmv_free(ws);
	if (!ok)
		return false;
	for (int i = 0; i < k; i++)
		negative = negative || lam[i] < 0.0;
	if (!negative)
		return true;
	for (int a1 = 0; a1 < k; a1++)
		for (int c = 0; c < k; c++)
		{
			double		t = 0.0;

			for (int i = 0; i < k; i++)
				if (lam[i] > 0.0)
					t += lam[i] * u[a1 * k + i] * u[c * k + i];
			v[a1 * k + c] = t;
		}
	return true;
}

/*
 * V = V_member + V_cluster - V_cell, each CR1 with its own G/(G-1) and the common
 * (N-1)/(N-K): sandwich::vcovCL(cluster = ~ member + cluster, type = "HC1", multi0 = FALSE).
 * Not positive semi-definite in some samples (the difference of two estimates): then the
 * eigenvalue fix.  df = min(G_member, G_cluster) - 1 (Cameron, Gelbach & Miller 2011).
 */
static bool
cr1_twoway(const ClusterDesign *d, double *cov, double *df)
{
	const int	k = d->k;
	double	   *one = palloc(sizeof(double) * k * k);
	double	   *df_one = palloc(sizeof(double) * k);
	double		G = (double) Min(d->m->clusters->count, d->m->clusters->twoway_by_cluster->count);
	Moments		copy;
	ClusterDesign dc = *d;

	memset(cov, 0, sizeof(double) * k * k);
	dc.m = &copy;
	for (int i = 0; i < 3; i++)
	{
		double		sign;

		twoway_part(d->m, i, &copy, &sign);
		if (!cr1_one(&dc, one, df_one))
			return false;
		for (int a = 0; a < k * k; a++)
			cov[a] += sign * one[a];
	}
	if (!psd_fix(k, cov))
	{
		for (int a = 0; a < k * k; a++)
			cov[a] = NAN;
	}
	for (int a = 0; a < k; a++)
		df[a] = G - 1.0;
	return true;
}

/*
 * CR1 of the slopes (cluster_variance.h): one-way by the table's slots, or two-way when the
 * rows were clustered by member and cluster (inference => 'twoway').
 */
bool
ClusterVarianceCR1(const ClusterDesign *d, double *cov, double *df)
{
	if (is_twoway(d->m))
		return cr1_twoway(d, cov, df);
	return cr1_one(d, cov, df);
}

/* --- the HTZ Wald test of several slopes (Pustejovsky & Tipton 2018) --------------------- */

/*
 * The accumulators of ClusterVarianceCR2HTZ's tests, filled by cr2_pass from each member's CR2
 * factors (no second eigen-decomposition).  Test t constrains the slopes cols[start[t] ..
 * start[t+1] - 1]; per test of r slopes: Omega (r^2), sum_g a_g (x) a_g and sum_g a_g (x) m_g
 * (r^4 each) and the r^2 matrices W_ab (q x q).  The derivation is in ClusterVarianceCR2HTZ's
 * comment and docs/statistics.md, section 7.
 */
typedef struct HtzAcc
{
	int			ntests;
	const int  *start;
	const int  *cols;
	int			ncols;
	Size	   *off4;
	Size	   *off2;
	double	   *A4;
	double	   *AM4;
	double	   *Om;
	double	   *Wab;
	double	   *z;				/* [k * q] Gm' u_j of every slope j (cr2_pass fills them) */
	double	   *w;				/* [k * q] w_gj */
	double	   *mw;				/* [k * q] M w_gj */
	double	   *a;				/* [ncols^2] a_g of one test */
	double	   *m;				/* [ncols^2] m_g of one test */
} HtzAcc;

static HtzAcc *
htz_acc_init(int k, int ntests, const int *start, const int *cols)
{
	const int	q = k + 1;
	HtzAcc	   *acc = palloc0(sizeof(HtzAcc));
	Size		n4 = 0,
				n2 = 0;

	acc->ntests = ntests;
	acc->start = start;
	acc->cols = cols;
	acc->ncols = start[ntests];
	acc->off4 = palloc(sizeof(Size) * (ntests + 1));
	acc->off2 = palloc(sizeof(Size) * (ntests + 1));
	for (int t = 0; t < ntests; t++)
	{
		Size		r = start[t + 1] - start[t];

		acc->off4[t] = n4;
		acc->off2[t] = n2;
		n4 += r * r * r * r;
		n2 += r * r;
	}
	acc->A4 = palloc0(sizeof(double) * Max(n4, 1));
	acc->AM4 = palloc0(sizeof(double) * Max(n4, 1));
	acc->Om = palloc0(sizeof(double) * Max(n2, 1));
	acc->Wab = palloc0(sizeof(double) * Max(n2, 1) * q * q);
	acc->z = palloc(sizeof(double) * Max(k, 1) * q);
	acc->w = palloc(sizeof(double) * Max(k, 1) * q);
	acc->mw = palloc(sizeof(double) * Max(k, 1) * q);
	acc->a = palloc(sizeof(double) * Max(acc->ncols * acc->ncols, 1));
	acc->m = palloc(sizeof(double) * Max(acc->ncols * acc->ncols, 1));
	return acc;
}

/*
 * One member, after cr2_pass's slope loop filled z_j = Gm' u_j, w_gj = Gm (h o z_j) and M w_gj
 * for every slope (Gm = F W, h = (1 - mu)^(-1/2), 0 for the pseudo-inverse; u_j = M e_j):
 * a_g,st = sum_i h_i^2 z_si z_ti, m_g,st = w_gs' M w_gt, and the sums of each test.
 */
static void
htz_acc_cluster(HtzAcc *acc, int q, const double *h)
{
	const int	qq = q * q;

	for (int t = 0; t < acc->ntests; t++)
	{
		const int	c0 = acc->start[t],
					r = acc->start[t + 1] - c0,
					r2 = r * r;
		double	   *A4t = acc->A4 + acc->off4[t],
				   *AM4t = acc->AM4 + acc->off4[t],
				   *Omt = acc->Om + acc->off2[t],
				   *Wt = acc->Wab + acc->off2[t] * qq;

		for (int x = 0; x < r; x++)
			for (int y = 0; y < r; y++)
			{
				const double *zx = acc->z + (Size) acc->cols[c0 + x] * q,
						   *zy = acc->z + (Size) acc->cols[c0 + y] * q,
						   *wx = acc->w + (Size) acc->cols[c0 + x] * q,
						   *mwy = acc->mw + (Size) acc->cols[c0 + y] * q;
				double		av = 0.0,
							mv = 0.0;

				for (int i = 0; i < q; i++)
				{
					av += h[i] * h[i] * zx[i] * zy[i];
					mv += wx[i] * mwy[i];
				}
				acc->a[x * r + y] = av;
				acc->m[x * r + y] = mv;
				Omt[x * r + y] += av - mv;
			}
		for (int x = 0; x < r2; x++)
			for (int y = 0; y < r2; y++)
			{
				A4t[(Size) x * r2 + y] += acc->a[x] * acc->a[y];
				AM4t[(Size) x * r2 + y] += acc->a[x] * acc->m[y];
			}
		for (int x = 0; x < r; x++)
			for (int y = x; y < r; y++)	/* W_yx = W_xy' */
			{
				const double *wx = acc->w + (Size) acc->cols[c0 + x] * q;
				const double *wy = acc->w + (Size) acc->cols[c0 + y] * q;
				double	   *W = Wt + (Size) (x * r + y) * qq;

				for (int e = 0; e < q; e++)
					for (int f = 0; f < q; f++)
						W[e * q + f] += wx[e] * wy[f];
			}
	}
}

/* The inverse of the symmetric positive definite r x r matrix a (destroyed) into inv. */
static bool
spd_inverse(int r, double *a, double *inv)
{
	gsl_matrix_view av = gsl_matrix_view_array(a, r, r);

	if (gsl_linalg_cholesky_decomp1(&av.matrix) != GSL_SUCCESS ||
		gsl_linalg_cholesky_invert(&av.matrix) != GSL_SUCCESS)
		return false;
	memcpy(inv, a, sizeof(double) * r * r);
	return true;
}

/* Each test's nu from the accumulators (NaN: Omega singular, or the variance not positive). */
static void
htz_acc_finish(const HtzAcc *acc, int q, const double *Mx, double *nu)
{
	const int	qq = q * q;

	for (int t = 0; t < acc->ntests; t++)
	{
		const int	r = acc->start[t + 1] - acc->start[t],
					r2 = r * r;
		const double *A4t = acc->A4 + acc->off4[t],
				   *AM4t = acc->AM4 + acc->off4[t],
				   *Wt = acc->Wab + acc->off2[t] * qq;
		double	   *K = palloc(sizeof(double) * r2);
		double	   *om = palloc(sizeof(double) * r2);
		double	   *MW = palloc(sizeof(double) * (Size) r2 * qq);
		double		var = 0.0;

		nu[t] = NAN;
		memcpy(om, acc->Om + acc->off2[t], sizeof(double) * r2);
		if (r == 0 || !spd_inverse(r, om, K))
			continue;
		/* sum_g [tr(aKaK) + tr(aK)^2 - 2 tr(aKmK) - 2 tr(aK) tr(mK)] */
		for (int s1 = 0; s1 < r; s1++)
			for (int t1 = 0; t1 < r; t1++)
				for (int u1 = 0; u1 < r; u1++)
					for (int v1 = 0; v1 < r; v1++)
					{
						Size		ix = (Size) (s1 * r + t1) * r2 + u1 * r + v1;

						var += (A4t[ix] - 2.0 * AM4t[ix]) *
							(K[t1 * r + u1] * K[v1 * r + s1] + K[t1 * r + s1] * K[v1 * r + u1]);
					}
		/* sum_abcd (K_ac K_bd + K_ad K_bc) tr(M W_ab M W_cd), W_ba = W_ab' (kept for a <= b) */
		for (int x = 0; x < r; x++)
			for (int y = 0; y < r; y++)
			{
				const double *W = Wt + (Size) (Min(x, y) * r + Max(x, y)) * qq;
				double	   *X = MW + (Size) (x * r + y) * qq;

				for (int e = 0; e < q; e++)
					for (int f = 0; f < q; f++)
					{
						double		s = 0.0;

						for (int i = 0; i < q; i++)
							s += Mx[e * q + i] * (x <= y ? W[i * q + f] : W[f * q + i]);
						X[e * q + f] = s;
					}
			}
		for (int ab = 0; ab < r2; ab++)
		{
			/* O(r^4 q^3) in all for a wide group: cancellable (no GSL workspace is live here) */
			CHECK_FOR_INTERRUPTS();
			for (int cd = 0; cd < r2; cd++)
			{
				const int	a1 = ab / r,
							b1 = ab % r,
							c1 = cd / r,
							d1 = cd % r;
				const double *X = MW + (Size) ab * qq;
				const double *Y = MW + (Size) cd * qq;
				double		kw = K[a1 * r + c1] * K[b1 * r + d1] + K[a1 * r + d1] * K[b1 * r + c1];
				double		tr = 0.0;

				if (kw == 0.0)
					continue;
				for (int e = 0; e < q; e++)
					for (int f = 0; f < q; f++)
						tr += X[e * q + f] * Y[f * q + e];
				var += kw * tr;
			}
		}
		if (var > 0.0 && isfinite(var))
			nu[t] = r * (r + 1.0) / var;
	}
}

/* --- CR2 and its Satterthwaite df ---------------------------------------------------------- */

/* 1 - leverage at or below this: the cluster's adjustment is the pseudo-inverse's 0 there. */
#define CR2_LEVERAGE_TOL 1e-12

/*
 * One pass over the members for CR2 (see ClusterVarianceCR2): the adjusted meat and the df
 * accumulators.  False when an eigen-decomposition fails.
 */
static bool
cr2_pass(const ClusterDesign *d, gsl_eigen_symmv_workspace *ws, const double *Mx, double *meat,
		 double *Wacc, double *acc, HtzAcc *htz)
{
	const int	k = d->k,
				q = k + 1,
				qq = q * q;
	int64		G = ClusterDesignClusters(d);
	double	   *U = palloc(sizeof(double) * qq);
	double	   *s = palloc(sizeof(double) * q);
	double	   *lam = palloc(sizeof(double) * q);
	double	   *V = palloc(sizeof(double) * qq);
	double	   *F = palloc(sizeof(double) * qq);
	double	   *B = palloc(sizeof(double) * qq);
	double	   *T = palloc(sizeof(double) * qq);
	double	   *Gm = palloc(sizeof(double) * qq);	/* F W */
	double	   *h = palloc(sizeof(double) * q);
	double	   *phi = palloc(sizeof(double) * q);
	double	   *v1 = palloc(sizeof(double) * q);
	double	   *v2 = palloc(sizeof(double) * q);

	for (int64 g = 0; g < G; g++)
	{
		double		lmax = 0.0;

		if ((g & 255) == 0)
			CHECK_FOR_INTERRUPTS();
		ClusterDesignSums(d, g, U, s);
		/* A member's sums beyond double range (the totals were finite): no CR2 rather than
		 * an eigen-decomposition of infinities. */
		for (int i = 0; i < qq; i++)
			if (!isfinite(U[i]))
				return false;
		for (int i = 0; i < q; i++)
			if (!isfinite(s[i]))
				return false;

		/* F = U^(1/2): rounding can leave tiny negative eigenvalues of a singular U. */
		if (!sym_eigen(ws, q, U, lam, V))
			return false;
		for (int i = 0; i < q; i++)
			lmax = Max(lmax, lam[i]);
		for (int i = 0; i < q; i++)
			lam[i] = lam[i] > 1e-14 * lmax ? sqrt(lam[i]) : 0.0;
		for (int a = 0; a < q; a++)
			for (int c = a; c < q; c++)
			{
				double		t = 0.0;

				for (int i = 0; i < q; i++)
					t += V[a * q + i] * lam[i] * V[c * q + i];
				F[a * q + c] = F[c * q + a] = t;
			}
		/* B = F M F */
		for (int a = 0; a < q; a++)
			for (int c = 0; c < q; c++)
			{
				double		t = 0.0;

				for (int e = 0; e < q; e++)
					t += F[a * q + e] * Mx[e * q + c];
				T[a * q + c] = t;
			}
		for (int a = 0; a < q; a++)
			for (int c = a; c < q; c++)
			{
				double		t = 0.0;

				for (int e = 0; e < q; e++)
					t += T[a * q + e] * F[e * q + c];
				B[a * q + c] = B[c * q + a] = t;
			}
		if (!sym_eigen(ws, q, B, lam, V))
			return false;
		for (int i = 0; i < q; i++)
		{
			double		r = 1.0 - Min(Max(lam[i], 0.0), 1.0);

			if (r > CR2_LEVERAGE_TOL)
			{
				double		sr = sqrt(r);

				h[i] = 1.0 / sr;
				phi[i] = 1.0 / (sr * (1.0 + sr));
			}
			else
			{
				h[i] = 0.0;
				phi[i] = -1.0;
			}
		}
		/* Gm = F W */
		for (int a = 0; a < q; a++)
			for (int c = 0; c < q; c++)
			{
				double		t = 0.0;

				for (int e = 0; e < q; e++)
					t += F[a * q + e] * V[e * q + c];
				Gm[a * q + c] = t;
			}

		/* t_g = s + Gm (phi o (Gm' M s)) */
		for (int a = 0; a < q; a++)
		{
			double		t = 0.0;

			for (int e = 0; e < q; e++)
				t += Mx[a * q + e] * s[e];
			v1[a] = t;
		}
		for (int i = 0; i < q; i++)
		{
			double		t = 0.0;

			for (int a = 0; a < q; a++)
				t += Gm[a * q + i] * v1[a];
			v2[i] = phi[i] * t;
		}
		for (int a = 0; a < q; a++)
		{
			double		t = s[a];

			for (int i = 0; i < q; i++)
				t += Gm[a * q + i] * v2[i];
			v1[a] = t;
		}
		for (int a = 0; a < q; a++)
			for (int c = a; c < q; c++)
				meat[a * q + c] += v1[a] * v1[c];

		/* The df accumulators of each slope j: u = M e_(j+1), column j + 1 of M. */
		for (int j = 0; j < k; j++)
		{
			double		tg = 0.0,
						mw = 0.0;
			double	   *W = Wacc + (size_t) j * qq;

			for (int i = 0; i < q; i++)
			{
				double		t = 0.0;

				for (int a = 0; a < q; a++)
					t += Gm[a * q + i] * Mx[a * q + j + 1];
				tg += h[i] * h[i] * t * t;
				v2[i] = h[i] * t;
				if (htz != NULL)
					htz->z[(Size) j * q + i] = t;
			}
			for (int a = 0; a < q; a++)
			{
				double		t = 0.0;

				for (int i = 0; i < q; i++)
					t += Gm[a * q + i] * v2[i];
				v1[a] = t;		/* w_g */
			}
			for (int a = 0; a < q; a++)
			{
				double		t = 0.0;

				for (int c = 0; c < q; c++)
					t += Mx[a * q + c] * v1[c];
				mw += v1[a] * t;
				if (htz != NULL)
				{
					htz->w[(Size) j * q + a] = v1[a];
					htz->mw[(Size) j * q + a] = t;
				}
			}
			for (int a = 0; a < q; a++)
				for (int c = a; c < q; c++)
					W[a * q + c] += v1[a] * v1[c];
			acc[j * 4 + 0] += tg;
			acc[j * 4 + 1] += tg * tg;
			acc[j * 4 + 2] += mw;
			acc[j * 4 + 3] += tg * mw;
		}
		/* The HTZ tests' sums from the slopes' z, w and M w just computed. */
		if (htz != NULL)
			htz_acc_cluster(htz, q, h);
	}

	return true;
}

/*
 * clubSandwich's CR2 for an OLS fit (identity working model): V = M (sum_g t_g t_g') M,
 * t_g = X_g' A_g e_g with A_g = (I - X_g M X_g')^(-1/2) (symmetric, pseudo-inverse), M =
 * (X'X)^-1 = diag(1, R^-1).  With F = (X_g'X_g)^(1/2) and B = F M F = W diag(mu) W' (mu: the
 * eigenvalues of H_gg, in [0, 1]), the SVD of X_g gives X_g' h(X_g M X_g') = F h(B) F^+ X_g',
 * so that, with h(mu) = (1 - mu)^(-1/2) and phi(mu) = (h(mu) - 1)/mu,
 *   t_g = s_g + F W diag(phi) W' F M s_g      (no pseudo-inverse: B F^+ s_g = F M s_g),
 *   X_g' A_g X_g = F W diag(h) W' F,  X_g' A_g^2 X_g = F W diag(h^2) W' F.
 * Satterthwaite df of slope j, u = M e_j (Pustejovsky & Tipton 2018, working model I):
 * p_g'p_h = [g = h] u'X_g'A_g^2 X_g u - w_g' M w_h with w_g = X_g'A_g X_g u, so
 *   df = (sum_g p_g'p_g)^2 / sum_{g,h} (p_g'p_h)^2,
 *   sum_{g,h} (p_g'p_h)^2 = sum_g t_g^2 - 2 sum_g t_g w_g'M w_g + tr(M W M W), W = sum_g w_g w_g',
 * one pass over the clusters with O(k q^2) accumulators.
 */
static bool
cr2_run(const ClusterDesign *d, double *cov, double *df, HtzAcc *htz, bool *passed)
{
	const int	k = d->k,
				q = k + 1,
				qq = q * q;
	int64		G = ClusterDesignClusters(d);
	double	   *Mx = palloc0(sizeof(double) * qq);	/* M = diag(1, R^-1) */
	double	   *T = palloc(sizeof(double) * qq);
	double	   *meat = palloc0(sizeof(double) * qq);
	double	   *Wacc = palloc0(sizeof(double) * k * qq);
	double	   *acc = palloc0(sizeof(double) * k * 4);	/* sum t, t^2, mw, t mw per slope */
	/* volatile: assigned inside PG_TRY and read after a longjmp (a cancel in the pass). */
	gsl_eigen_symmv_workspace *volatile ws = NULL;
	volatile bool ok = false;

	*passed = false;
	if (G < 1)
		return false;
	Mx[0] = 1.0;
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
			Mx[(a + 1) * q + c + 1] = d->rinv[a * k + c];
	PG_TRY();
	{
		ws = gsl_eigen_symmv_alloc(q);
		if (ws == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		ok = cr2_pass(d, ws, Mx, meat, Wacc, acc, htz);
	}
	PG_FINALLY();
	{
		if (ws != NULL)
			gsl_eigen_symmv_free(ws);
	}
	PG_END_TRY();
	*passed = ok;
	if (!ok)
	{
		/* Not seen in tests: no standard errors rather than wrong ones. */
		for (int a = 0; a < k; a++)
		{
			df[a] = NAN;
			for (int c = 0; c < k; c++)
				cov[a * k + c] = NAN;
		}
		return true;
	}

	/* cov = the slopes' block of M meat M = R^-1 meat_ss R^-1 (M is block diagonal). */
	for (int a = 0; a < q; a++)
		for (int c = 0; c < a; c++)
			meat[a * q + c] = meat[c * q + a];
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
		{
			double		t = 0.0;

			for (int e = 0; e < k; e++)
				t += d->rinv[a * k + e] * meat[(e + 1) * q + c + 1];
			T[a * k + c] = t;
		}
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
		{
			double		t = 0.0;

			for (int e = 0; e < k; e++)
				t += T[a * k + e] * d->rinv[e * k + c];
			cov[a * k + c] = t;
		}

	for (int j = 0; j < k; j++)
	{
		double	   *W = Wacc + (size_t) j * qq;
		double		e = acc[j * 4 + 0] - acc[j * 4 + 2];
		double		var,
					tr = 0.0;

		for (int a = 0; a < q; a++)
			for (int c = 0; c < a; c++)
				W[a * q + c] = W[c * q + a];
		/* T = M W, tr(M W M W) = sum_ab T_ab T_ba */
		for (int a = 0; a < q; a++)
			for (int c = 0; c < q; c++)
			{
				double		t = 0.0;

				for (int i = 0; i < q; i++)
					t += Mx[a * q + i] * W[i * q + c];
				T[a * q + c] = t;
			}
		for (int a = 0; a < q; a++)
			for (int c = 0; c < q; c++)
				tr += T[a * q + c] * T[c * q + a];
		var = acc[j * 4 + 1] - 2.0 * acc[j * 4 + 3] + tr;
		df[j] = var > 0.0 ? e * e / var : NAN;
	}
	return true;
}

bool
ClusterVarianceCR2(const ClusterDesign *d, double *cov, double *df)
{
	bool		passed;

	return cr2_run(d, cov, df, NULL, &passed);
}

/*
 * CR2 as ClusterVarianceCR2, and in the same pass over the members the denominator df nu of
 * clubSandwich's HTZ test of each group of slopes (Pustejovsky & Tipton 2018, working model I;
 * docs/statistics.md, section 7).  With u_s = M e_s for the constrained slopes s and, per
 * member, a_g,st = u_s' X_g'A_g^2 X_g u_t, w_gs = X_g'A_g X_g u_s, m_g,st = w_gs' M w_gt:
 * Omega = sum_g (a_g - m_g), K = Omega^-1, W_ab = sum_g w_ga w_gb',
 *   sum(Var) = sum_g [tr(aKaK) + tr(aK)^2 - 2 tr(aKmK) - 2 tr(aK) tr(mK)]
 *              + sum_abcd (K_ac K_bd + K_ad K_bc) tr(M W_ab M W_cd),
 *   nu = r (r + 1) / sum(Var)      (r = 1: the slope's Satterthwaite df).
 * Omega is known only after the last member, so the member terms are kept as sum_g a_g (x) a_g
 * and sum_g a_g (x) m_g.  Extra cost per member O(sum_t (r_t^2 q^2 + r_t^4)): the
 * slopes' z, w and M w are those of the df step, no extra eigen-decomposition.  nu[t] NaN: undefined (or the pass failed).
 */
bool
ClusterVarianceCR2HTZ(const ClusterDesign *d, double *cov, double *df, int ntests,
					  const int *start, const int *cols, double *nu)
{
	HtzAcc	   *htz = htz_acc_init(d->k, ntests, start, cols);
	double	   *Mx = palloc0(sizeof(double) * (d->k + 1) * (d->k + 1));
	bool		passed;
	bool		ok;

	for (int t = 0; t < ntests; t++)
		nu[t] = NAN;
	ok = cr2_run(d, cov, df, ntests > 0 ? htz : NULL, &passed);
	if (!ok || !passed || ntests == 0)
		return ok;
	Mx[0] = 1.0;
	for (int a = 0; a < d->k; a++)
		for (int c = 0; c < d->k; c++)
			Mx[(a + 1) * (d->k + 1) + c + 1] = d->rinv[a * d->k + c];
	htz_acc_finish(htz, d->k + 1, Mx, nu);
	return ok;
}

/* --- correlations ------------------------------------------------------------------------ */

/*
 * atanh of the correlation of a 2-variable set (n, mean[2], c[3]); NaN when undefined.
 */
static double
set_z(const double *set)
{
	double		r;

	if (set[0] < 3.0 || !(set[3] > 0.0) || !(set[5] > 0.0))
		return NAN;
	r = set[4] / (sqrt(set[3]) * sqrt(set[5]));
	if (!(fabs(r) < 1.0))
		return NAN;
	return atanh(r);
}

static void
set_merge(double *dst, const double *src)
{
	double		d[2];

	if (src[0] == 0.0)
		return;
	if (dst[0] == 0.0)
	{
		memcpy(dst, src, sizeof(double) * 6);
		return;
	}
	CoMomentsMerge(2, dst[0], dst + 1, dst + 3, src[0], src + 1, src + 3, d);
	dst[0] += src[0];
}

/*
 * Leave-one-member-out sets without cancellation: prefix and suffix merges of the members'
 * (n, means, co-moments of a and b), then z_(g) from merge(prefix before g, suffix after g).
 * se^2 = (G-1)/G sum_g (z_(g) - mean z_(.))^2, the delete-a-group jackknife (JK1).
 */
bool
ClusterCorrelationJackknife(const Moments *m, int a, int b, double *se_z)
{
	const ClusterTable *t = m->clusters;
	const int	p = m->p;
	int64		G;
	double	   *pre,
			   *suf,
			   *z;
	double		zbar = 0.0,
				ss = 0.0;

	if (m->cluster != CLUSTER_ROWS || t == NULL || t->count < 2)
		return false;
	G = t->count;
	pre = palloc0(sizeof(double) * 6 * (G + 1));
	suf = palloc0(sizeof(double) * 6 * (G + 1));
	z = palloc(sizeof(double) * G);
	for (int64 g = 0; g < G; g++)
	{
		const double *slot = ClusterTableSlot(t, g);
		const double *c = slot + 1 + p;
		double		one[6] = {slot[0], slot[1 + a], slot[1 + b],
			c[MOMENTS_TRI(p, a, a)], a < b ? c[MOMENTS_TRI(p, a, b)] : c[MOMENTS_TRI(p, b, a)],
		c[MOMENTS_TRI(p, b, b)]};

		memcpy(pre + 6 * (g + 1), pre + 6 * g, sizeof(double) * 6);
		set_merge(pre + 6 * (g + 1), one);
	}
	for (int64 g = G - 1; g >= 0; g--)
	{
		const double *slot = ClusterTableSlot(t, g);
		const double *c = slot + 1 + p;
		double		one[6] = {slot[0], slot[1 + a], slot[1 + b],
			c[MOMENTS_TRI(p, a, a)], a < b ? c[MOMENTS_TRI(p, a, b)] : c[MOMENTS_TRI(p, b, a)],
		c[MOMENTS_TRI(p, b, b)]};

		memcpy(suf + 6 * g, suf + 6 * (g + 1), sizeof(double) * 6);
		set_merge(suf + 6 * g, one);
	}
	for (int64 g = 0; g < G; g++)
	{
		double		loo[6];

		if ((g & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(loo, pre + 6 * g, sizeof(double) * 6);
		set_merge(loo, suf + 6 * (g + 1));
		z[g] = set_z(loo);
		if (isnan(z[g]))
			return false;
		zbar += z[g];
	}
	zbar /= (double) G;
	for (int64 g = 0; g < G; g++)
		ss += (z[g] - zbar) * (z[g] - zbar);
	*se_z = sqrt((double) (G - 1) / (double) G * ss);
	pfree(pre);
	pfree(suf);
	pfree(z);
	return isfinite(*se_z);
}

/*
 * r = S_ab / sqrt(S_aa S_bb) moves with member g's co-moments Q_g about the overall means by
 * psi_g = Q_g[ab] / sqrt(S_aa S_bb) - r/2 (Q_g[aa] / S_aa + Q_g[bb] / S_bb), so Var(r) =
 * G/(G-1) sum_g psi_g^2 and se(atanh r) = sqrt(Var(r)) / (1 - r^2).
 */
static bool
linear_one(const Moments *m, int a, int b, double *se_z)
{
	double		saa = comoment(m, a, a),
				sbb = comoment(m, b, b),
				sab = comoment(m, a, b);
	double		G = (double) MomentsClusters(m);
	double		r,
				psi2;
	int			ia[3] = {a, a, b};
	int			ib[3] = {b, a, b};
	double		w[3];

	if (!(saa > 0.0 && sbb > 0.0) || G < 2)
		return false;
	r = sab / (sqrt(saa) * sqrt(sbb));
	w[0] = 1.0 / (sqrt(saa) * sqrt(sbb));
	w[1] = -r / (2.0 * saa);
	w[2] = -r / (2.0 * sbb);
	if (!MomentsClusterLinear(m, 3, ia, ib, w, &psi2))
		return false;
	*se_z = sqrt(G / (G - 1.0) * psi2) / (1.0 - r * r);
	return isfinite(*se_z);
}

/*
 * The CR1 linearization of atanh(r), one-way, or two-way (Var = V_member + V_cluster - V_cell,
 * each G/(G-1) sum_g psi_g^2; false when that is not positive: a scalar has no eigenvalue fix
 * that leaves a usable standard error, so the figure then has no t, p or interval).
 */
bool
ClusterCorrelationLinear(const Moments *m, int a, int b, double *se_z)
{
	double		var = 0.0;

	if (!is_twoway(m))
		return linear_one(m, a, b, se_z);
	for (int i = 0; i < 3; i++)
	{
		Moments		copy;
		double		sign,
					se;

		twoway_part(m, i, &copy, &sign);
		if (!linear_one(&copy, a, b, &se))
			return false;
		var += sign * se * se;
	}
	if (!(var > 0.0))
		return false;
	*se_z = sqrt(var);
	return isfinite(*se_z);
}
