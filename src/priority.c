/* priority.c: driver prioritization under uncertainty (exlink.driver_priority). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "moments.h"

/*
 * Which driver matters most, and how sure are we?  The betas of a fitted model are uncertain,
 * and their errors are correlated (correlated drivers trade weight), so the ranking is a random
 * quantity.  We draw B vectors from the betas' sampling distribution, a multivariate t with the
 * model's covariance (vcov) and degrees of freedom (df; normal when df is unknown), rank the
 * drivers by importance in every draw, and report per driver the share of draws in which it
 * ranks first, its mean rank and an equal-tailed interval of its rank.
 *
 * Importance is |beta| by default: the change in the outcome (in SDs) when the driver moves one
 * SD in the helpful direction, whichever that is (raising enablement, lowering workload).  With
 * signed = true it is beta itself, for drivers that can only be raised.
 *
 * Draws: beta + s · L z with L the Cholesky factor of vcov (an eigen factor V·diag(√λ) when
 * vcov is only positive semi-definite, as with perfectly known betas), z standard normal
 * (GSL's ziggurat) and s = √(df / χ²_df) the same for all drivers of a draw (a multivariate t),
 * from GSL's MT19937 generator seeded with the low 32 bits of seed: the same model and seed give
 * the same figures on every refresh, on any machine with the same GSL.
 */

#define PRIORITY_MAX_DRAWS	1000000
#define PRIORITY_NCOLS		9

/* Drivers and their figures; NaN = NULL. */
typedef struct Priority
{
	int			q;				/* drivers, including unranked ones */
	char	  **names;
	double	   *beta;			/* NaN: no beta, not ranked */
	double	   *vcov;			/* q x q, row-major; NaN entries allowed for unranked drivers */
	double		df;				/* NaN or +Inf: normal draws */
	double	   *importance;
	int		   *rank;			/* 0 = NULL */
	double	   *p_first;
	double	   *mean_rank;
	int		   *rank_low;
	int		   *rank_high;
	StringInfoData status;		/* empty = "ok" */
} Priority;

static void
priority_status(Priority *pr, const char *msg)
{
	if (pr->status.len > 0)
		appendStringInfoString(&pr->status, "; ");
	appendStringInfoString(&pr->status, msg);
}

static void
priority_init(Priority *pr, int q)
{
	pr->q = q;
	pr->names = palloc0(sizeof(char *) * Max(q, 1));
	pr->beta = palloc(sizeof(double) * Max(q, 1));
	pr->vcov = NULL;
	pr->df = NAN;
	pr->importance = palloc(sizeof(double) * Max(q, 1));
	pr->rank = palloc0(sizeof(int) * Max(q, 1));
	pr->p_first = palloc(sizeof(double) * Max(q, 1));
	pr->mean_rank = palloc(sizeof(double) * Max(q, 1));
	pr->rank_low = palloc0(sizeof(int) * Max(q, 1));
	pr->rank_high = palloc0(sizeof(int) * Max(q, 1));
	for (int j = 0; j < q; j++)
		pr->beta[j] = pr->importance[j] = pr->p_first[j] = pr->mean_rank[j] = NAN;
	initStringInfo(&pr->status);
}

/*
 * Competition ranks (1 = most important; ties share the best rank: 1, 2, 2, 4) of v[idx[0..k-1]],
 * written to rank[0..k-1].  k is at most MOMENTS_MAX_DIM, so the quadratic loop is cheap next
 * to the draw itself, and it needs no sort (whose order among ties would be unspecified).
 */
static void
competition_ranks(const double *v, int k, int *rank)
{
	for (int a = 0; a < k; a++)
	{
		int			r = 1;

		for (int b = 0; b < k; b++)
			if (v[b] > v[a])
				r++;
		rank[a] = r;
	}
}

/*
 * A lower-triangular factor L (k x k, row-major) with L Lᵀ = S.  Cholesky when S is positive
 * definite; otherwise V·diag(√max(λ, 0)) from the eigen-decomposition, provided no eigenvalue is
 * below -1e-10 · the largest (a covariance matrix is positive semi-definite up to rounding).
 * Returns false when S is not a covariance matrix.  GSL workspaces are freed on every path (no
 * PostgreSQL error is raised between their allocation and release).
 */
static bool
covariance_factor(const double *S, int k, double *L)
{
	gsl_matrix_view lv = gsl_matrix_view_array(L, k, k);
	gsl_matrix *a;
	gsl_vector *eval;
	gsl_matrix *evec;
	gsl_eigen_symmv_workspace *w;
	double		lmax = 0.0;
	bool		ok = true;

	memcpy(L, S, sizeof(double) * k * k);
	if (gsl_linalg_cholesky_decomp1(&lv.matrix) == GSL_SUCCESS)
	{
		for (int i = 0; i < k; i++)
			for (int j = i + 1; j < k; j++)
				L[i * k + j] = 0.0;
		return true;
	}

	a = gsl_matrix_alloc(k, k);
	eval = gsl_vector_alloc(k);
	evec = gsl_matrix_alloc(k, k);
	w = gsl_eigen_symmv_alloc(k);
	if (a == NULL || eval == NULL || evec == NULL || w == NULL)
		ok = false;
	if (ok)
	{
		for (int i = 0; i < k; i++)
			for (int j = 0; j < k; j++)
				gsl_matrix_set(a, i, j, S[i * k + j]);
		ok = gsl_eigen_symmv(a, eval, evec, w) == GSL_SUCCESS;
	}
	if (ok)
	{
		for (int i = 0; i < k; i++)
			lmax = Max(lmax, gsl_vector_get(eval, i));
		for (int i = 0; i < k && ok; i++)
			if (!(gsl_vector_get(eval, i) >= -1e-10 * lmax))
				ok = false;
	}
	if (ok)
		for (int i = 0; i < k; i++)
			for (int c = 0; c < k; c++)
				L[i * k + c] = gsl_matrix_get(evec, i, c) * sqrt(Max(gsl_vector_get(eval, c), 0.0));
	if (w)
		gsl_eigen_symmv_free(w);
	if (evec)
		gsl_matrix_free(evec);
	if (eval)
		gsl_vector_free(eval);
	if (a)
		gsl_matrix_free(a);
	return ok;
}

/*
 * Draw and rank.  Fills importance, rank, p_first, mean_rank, rank_low, rank_high of the
 * drivers with a finite beta; the others stay NULL.  Allocates in CurrentMemoryContext; the
 * generator is freed even when the loop is cancelled.
 */
static void
priority_compute(Priority *pr, int draws, int64 seed, double level, bool is_signed)
{
	int			q = pr->q;
	int			k = 0;
	int		   *idx = palloc(sizeof(int) * Max(q, 1));
	double	   *S;
	double	   *L;
	double	   *b;
	double	   *z;
	double	   *v;
	int		   *r;
	int64	   *counts;			/* k x k: counts[a * k + (rank - 1)] */
	double	   *firsts;
	double	   *ranksum;
	bool		t_draws;
	gsl_rng    *rng;
	StringInfoData unranked;

	initStringInfo(&unranked);
	for (int j = 0; j < q; j++)
	{
		if (isfinite(pr->beta[j]))
			idx[k++] = j;
		else
		{
			if (unranked.len > 0)
				appendStringInfoString(&unranked, ", ");
			appendStringInfoString(&unranked, pr->names[j]);
		}
	}
	if (unranked.len > 0)
		priority_status(pr, psprintf("no beta, not ranked: %s", unranked.data));
	if (k == 0)
		return;

	/* The point ranking needs no covariance. */
	b = palloc(sizeof(double) * k);
	v = palloc(sizeof(double) * k);
	r = palloc(sizeof(int) * k);
	for (int a = 0; a < k; a++)
	{
		b[a] = pr->beta[idx[a]];
		v[a] = is_signed ? b[a] : fabs(b[a]);
		pr->importance[idx[a]] = v[a];
	}
	competition_ranks(v, k, r);
	for (int a = 0; a < k; a++)
		pr->rank[idx[a]] = r[a];

	if (pr->vcov == NULL)
	{
		/* A model that says why it has no covariance has said it already. */
		if (strstr(pr->status.data, "unavailable") == NULL)
			priority_status(pr, "unavailable: no covariance of the betas");
		return;
	}
	S = palloc(sizeof(double) * k * k);
	for (int a = 0; a < k; a++)
		for (int c = 0; c < k; c++)
		{
			double		sa = pr->vcov[idx[a] * q + idx[c]];
			double		sc = pr->vcov[idx[c] * q + idx[a]];

			/* symmetric up to rounding, finite */
			if (!isfinite(sa) || !isfinite(sc) ||
				fabs(sa - sc) > 1e-9 * Max(1.0, Max(fabs(sa), fabs(sc))))
			{
				priority_status(pr, "unavailable: the covariance of the betas is not a finite symmetric matrix");
				return;
			}
			S[a * k + c] = 0.5 * (sa + sc);
		}
	L = palloc(sizeof(double) * k * k);
	if (!covariance_factor(S, k, L))
	{
		priority_status(pr, "unavailable: the covariance of the betas is not positive semi-definite");
		return;
	}

	t_draws = isfinite(pr->df);
	z = palloc(sizeof(double) * k);
	counts = palloc0(sizeof(int64) * k * k);
	firsts = palloc0(sizeof(double) * k);
	ranksum = palloc0(sizeof(double) * k);

	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	gsl_rng_set(rng, (unsigned long) ((uint64) seed & 0xffffffffUL));
	PG_TRY();
	{
		for (int d = 0; d < draws; d++)
		{
			double		s = 1.0;
			int			nfirst = 0;

			if ((d & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			for (int a = 0; a < k; a++)
				z[a] = gsl_ran_gaussian_ziggurat(rng, 1.0);
			if (t_draws)
				s = sqrt(pr->df / gsl_ran_chisq(rng, pr->df));
			for (int a = 0; a < k; a++)
			{
				double		x = 0.0;

				for (int c = 0; c <= a; c++)
					x += L[a * k + c] * z[c];
				x = b[a] + s * x;
				v[a] = is_signed ? x : fabs(x);
			}
			competition_ranks(v, k, r);
			for (int a = 0; a < k; a++)
				if (r[a] == 1)
					nfirst++;
			for (int a = 0; a < k; a++)
			{
				counts[a * k + r[a] - 1]++;
				ranksum[a] += r[a];
				if (r[a] == 1)
					firsts[a] += 1.0 / nfirst;	/* a tie for first is shared */
			}
		}
	}
	PG_FINALLY();
	{
		gsl_rng_free(rng);
	}
	PG_END_TRY();

	/* Equal-tailed rank interval: the (1 - level)/2 and (1 + level)/2 quantiles of the ranks. */
	for (int a = 0; a < k; a++)
	{
		double		lo = 0.5 * (1.0 - level) * draws;
		double		hi = 0.5 * (1.0 + level) * draws;
		int64		cum = 0;
		int			j = idx[a];

		pr->rank_low[j] = pr->rank_high[j] = 0;
		for (int c = 0; c < k; c++)
		{
			cum += counts[a * k + c];
			if (pr->rank_low[j] == 0 && cum > lo)
				pr->rank_low[j] = c + 1;
			if (pr->rank_high[j] == 0 && cum >= hi)
				pr->rank_high[j] = c + 1;
		}
		if (pr->rank_high[j] == 0)
			pr->rank_high[j] = k;
		if (pr->rank_low[j] == 0)
			pr->rank_low[j] = pr->rank_high[j];
		pr->p_first[j] = firsts[a] / draws;
		pr->mean_rank[j] = ranksum[a] / draws;
	}
}

static void
priority_check_args(FunctionCallInfo fcinfo, int first, int *draws, int64 *seed, double *level,
					bool *is_signed)
{
	for (int i = first; i < first + 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("draws, seed, level and signed must not be NULL")));
	*draws = PG_GETARG_INT32(first);
	*seed = PG_GETARG_INT64(first + 1);
	*level = PG_GETARG_FLOAT8(first + 2);
	*is_signed = PG_GETARG_BOOL(first + 3);
	if (*draws < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("draws must be at least 1")));
	if (*draws > PRIORITY_MAX_DRAWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("draws must be at most %d", PRIORITY_MAX_DRAWS),
				 errhint("10000 draws give each probability to about ±0.01.")));
	if (!(*level > 0.0 && *level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be between 0 and 1 (exclusive)")));
}

static Datum
float_datum(double v, bool *isnull)
{
	*isnull = !isfinite(v);
	return Float8GetDatum(*isnull ? 0.0 : v);
}

static void
priority_emit(FunctionCallInfo fcinfo, const Priority *pr)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *status = pr->status.len > 0 ? pr->status.data : "ok";

	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != PRIORITY_NCOLS)
		elog(ERROR, "unexpected result type of exlink.driver_priority");
	for (int j = 0; j < pr->q; j++)
	{
		Datum		values[PRIORITY_NCOLS];
		bool		nulls[PRIORITY_NCOLS];

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(j + 1);
		values[1] = CStringGetTextDatum(pr->names[j]);
		values[2] = float_datum(pr->importance[j], &nulls[2]);
		values[3] = Int32GetDatum(pr->rank[j]);
		nulls[3] = pr->rank[j] == 0;
		values[4] = float_datum(pr->p_first[j], &nulls[4]);
		values[5] = float_datum(pr->mean_rank[j], &nulls[5]);
		values[6] = Int32GetDatum(pr->rank_low[j]);
		nulls[6] = pr->rank_low[j] == 0;
		values[7] = Int32GetDatum(pr->rank_high[j]);
		nulls[7] = pr->rank_high[j] == 0;
		values[8] = CStringGetTextDatum(status);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * A p x p float8[] covariance into a row-major q x q array (NULL elements become NaN).
 * Accepts a 2-D array [q][q] with any lower bounds, or a 1-D array of q² elements.
 */
static double *
vcov_from_array(ArrayType *arr, int q, bool from_model)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	double	   *out;

	if (!((ndim == 2 && dims[0] == q && dims[1] == q) || (ndim == 1 && dims[0] == q * q) ||
		  (ndim == 0 && q == 0)))
	{
		if (from_model)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vcov must be a %d x %d array, one row and column per driver", q, q)));
	}
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &count);
	out = palloc(sizeof(double) * Max(count, 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? NAN : DatumGetFloat8(elems[i]);
	return out;
}

/*
 * driver_priority(names text[], beta float8[], vcov float8[], df float8, draws, seed, level,
 * signed): for betas and a covariance from any source.
 */
PG_FUNCTION_INFO_V1(exlink_driver_priority_arrays);
Datum
exlink_driver_priority_arrays(PG_FUNCTION_ARGS)
{
	Priority	pr;
	Datum	   *elems;
	bool	   *nulls;
	int			q;
	int			nbeta;
	int			draws;
	int64		seed;
	double		level;
	bool		is_signed;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names and beta must not be NULL")));
	priority_check_args(fcinfo, 4, &draws, &seed, &level, &is_signed);

	if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(0)) > 1 || ARR_NDIM(PG_GETARG_ARRAYTYPE_P(1)) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("names and beta must be one-dimensional arrays")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &q);
	if (q > MOMENTS_MAX_DIM - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("at most %d drivers can be prioritized", MOMENTS_MAX_DIM - 1)));
	priority_init(&pr, q);
	for (int j = 0; j < q; j++)
	{
		if (nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("names must not contain NULL")));
		pr.names[j] = TextDatumGetCString(elems[j]);
	}
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &nbeta);
	if (nbeta != q)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("beta must have one entry per name"),
				 errdetail("There are %d betas for %d names.", nbeta, q)));
	for (int j = 0; j < q; j++)
		pr.beta[j] = nulls[j] ? NAN : DatumGetFloat8(elems[j]);
	if (!PG_ARGISNULL(2))
		pr.vcov = vcov_from_array(PG_GETARG_ARRAYTYPE_P(2), q, false);
	if (!PG_ARGISNULL(3))
	{
		pr.df = PG_GETARG_FLOAT8(3);
		if (!(pr.df > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("df must be positive (NULL or Infinity for normal draws)")));
	}
	priority_compute(&pr, draws, seed, level, is_signed);
	priority_emit(fcinfo, &pr);
	return (Datum) 0;
}

/* An attribute of a composite value by name, or NULL (isnull) when the type has no such one. */
static Datum
attr_by_name(HeapTupleHeader t, TupleDesc desc, const char *name, bool *isnull)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return GetAttributeByNum(t, att->attnum, isnull);
	}
	*isnull = true;
	return (Datum) 0;
}

/*
 * driver_priority(model exlink.driver_model, draws, seed, level, signed).  Attributes are read
 * by name, so the function does not depend on their order in the type.
 */
PG_FUNCTION_INFO_V1(exlink_driver_priority_model);
Datum
exlink_driver_priority_model(PG_FUNCTION_ARGS)
{
	Priority	pr;
	HeapTupleHeader model;
	TupleDesc	desc;
	TupleDesc	ddesc = NULL;
	Datum		d;
	bool		isnull;
	bool		suppressed = false;
	ArrayType  *drivers = NULL;
	Datum	   *elems = NULL;
	bool	   *nulls = NULL;
	int			q = 0;
	int			draws;
	int64		seed;
	double		level;
	bool		is_signed;
	char	   *model_status = NULL;

	priority_check_args(fcinfo, 1, &draws, &seed, &level, &is_signed);
	if (PG_ARGISNULL(0))
	{
		InitMaterializedSRF(fcinfo, 0);
		return (Datum) 0;
	}
	model = PG_GETARG_HEAPTUPLEHEADER(0);
	desc = lookup_rowtype_tupdesc_copy(HeapTupleHeaderGetTypeId(model),
									   HeapTupleHeaderGetTypMod(model));

	d = attr_by_name(model, desc, "drivers", &isnull);
	if (!isnull)
	{
		Oid			elemtype;
		int16		elemlen;
		bool		elembyval;
		char		elemalign;

		drivers = DatumGetArrayTypeP(d);
		elemtype = ARR_ELEMTYPE(drivers);
		get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
		deconstruct_array(drivers, elemtype, elemlen, elembyval, elemalign, &elems, &nulls, &q);
		ddesc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	}
	if (q > MOMENTS_MAX_DIM - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("at most %d drivers can be prioritized", MOMENTS_MAX_DIM - 1)));
	priority_init(&pr, q);
	for (int j = 0; j < q; j++)
	{
		HeapTupleHeader dr;
		bool		n;

		pr.names[j] = psprintf("x%d", j + 1);
		if (nulls[j])
			continue;
		dr = DatumGetHeapTupleHeader(elems[j]);
		d = attr_by_name(dr, ddesc, "name", &n);
		if (!n)
			pr.names[j] = TextDatumGetCString(d);
		d = attr_by_name(dr, ddesc, "beta", &n);
		if (!n)
			pr.beta[j] = DatumGetFloat8(d);
	}

	d = attr_by_name(model, desc, "suppressed", &isnull);
	suppressed = !isnull && DatumGetBool(d);
	d = attr_by_name(model, desc, "status", &isnull);
	if (!isnull)
		model_status = TextDatumGetCString(d);
	if (suppressed)
	{
		/* Nothing about the data: not even the point ranking (the betas are NULL anyway). */
		for (int j = 0; j < q; j++)
			pr.beta[j] = NAN;
		priority_status(&pr, model_status ? model_status : "suppressed");
		priority_emit(fcinfo, &pr);
		return (Datum) 0;
	}
	/* The model's own caveats (few clusters, excluded drivers) apply to its ranking too. */
	if (model_status != NULL && strcmp(model_status, "ok") != 0)
		priority_status(&pr, model_status);
	d = attr_by_name(model, desc, "vcov", &isnull);
	if (!isnull)
		pr.vcov = vcov_from_array(DatumGetArrayTypeP(d), q, true);
	d = attr_by_name(model, desc, "df", &isnull);
	if (!isnull && DatumGetFloat8(d) > 0.0)
		pr.df = DatumGetFloat8(d);
	priority_compute(&pr, draws, seed, level, is_signed);
	priority_emit(fcinfo, &pr);
	return (Datum) 0;
}
