/* driver_contrast.c: a linear combination of a fitted model's slopes, in the drivers' units. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/*
 * Response curves, effects by segment and the gain of a key driver map are all one figure: a
 * weighted sum sum_a w_a b_a of the model's raw slopes b_a = beta_a sd_y / sd_a (the outcome's
 * change per unit of each column), with variance w' V w, V = D vcov D, D = diag(sd_y / sd_a), the
 * model's covariance of the standardized betas rescaled (every sandwich here, CR1 and CR2, is
 * invariant to rescaling the columns).  It is computed from the released model alone, so it is
 * released exactly when the model is: a suppressed model gives NULLs.
 *
 * The t reference is the model's df: n - k - 1 for independent rows, G - 1 for CR1, and for CR2
 * the smallest of the drivers' Satterthwaite df (a combination has its own Satterthwaite df,
 * which needs the per-member sums the model does not keep; the smallest is the cautious choice).
 */

typedef struct ModelView
{
	int			q;
	char	  **names;
	double	   *beta;			/* NaN: NULL */
	double	   *vcov;			/* [q*q], NaN: NULL; NULL = no covariance */
	double	   *sds;			/* [q+1] outcome first; NULL = none */
	double		df;				/* NaN: none */
} ModelView;

static double
attr_float(HeapTupleHeader t, const char *name)
{
	bool		isnull;
	Datum		d = GetAttributeByName(t, name, &isnull);

	return isnull ? NAN : DatumGetFloat8(d);
}

static double *
float_array_or_null(HeapTupleHeader t, const char *name, int expect)
{
	bool		isnull;
	Datum		d = GetAttributeByName(t, name, &isnull);
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	double	   *out;

	if (isnull)
		return NULL;
	arr = DatumGetArrayTypeP(d);
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	if (count != expect)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("inconsistent key-driver model"),
				 errdetail("Its %s has %d entries where %d were expected.", name, count, expect)));
	out = palloc(sizeof(double) * Max(count, 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? NAN : DatumGetFloat8(elems[i]);
	return out;
}

static void
model_view(HeapTupleHeader model, ModelView *v)
{
	bool		isnull;
	Datum		d = GetAttributeByName(model, "drivers", &isnull);
	ArrayType  *arr;
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	Datum	   *elems;
	bool	   *nulls;

	v->q = 0;
	if (isnull)
		return;
	arr = DatumGetArrayTypeP(d);
	elemtype = ARR_ELEMTYPE(arr);
	get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
	deconstruct_array(arr, elemtype, elemlen, elembyval, elemalign, &elems, &nulls, &v->q);
	v->names = palloc(sizeof(char *) * Max(v->q, 1));
	v->beta = palloc(sizeof(double) * Max(v->q, 1));
	for (int j = 0; j < v->q; j++)
	{
		HeapTupleHeader dt;
		Datum		nd;

		if (nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("inconsistent key-driver model"),
					 errdetail("A driver is NULL.")));
		dt = DatumGetHeapTupleHeader(elems[j]);
		nd = GetAttributeByName(dt, "name", &isnull);
		v->names[j] = isnull ? "" : TextDatumGetCString(nd);
		v->beta[j] = attr_float(dt, "beta");
	}
	v->vcov = float_array_or_null(model, "vcov", v->q * v->q);
	v->sds = float_array_or_null(model, "sds", v->q + 1);
	v->df = attr_float(model, "df");
}

/*
 * driver_contrast(model, columns text[], weights float8[], level float8): estimate, se, t, df,
 * p_value, ci_low, ci_high of sum_i weights[i] b(columns[i]) in the drivers' units.
 */
PG_FUNCTION_INFO_V1(exlink_driver_contrast);
Datum
exlink_driver_contrast(PG_FUNCTION_ARGS)
{
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(0);
	ArrayType  *cols_arr = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *w_arr = PG_GETARG_ARRAYTYPE_P(2);
	double		level = PG_GETARG_FLOAT8(3);
	TupleDesc	tupdesc;
	Datum	   *celems,
			   *welems;
	bool	   *cnulls,
			   *wnulls;
	int			nc,
				nw;
	ModelView	v;
	double	   *w;
	double		est = 0.0,
				var = 0.0,
				se = NAN,
				t = NAN,
				p = NAN,
				lo = NAN,
				hi = NAN,
				df;
	Datum		values[7];
	bool		nl[7];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "exlink.driver_contrast must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be between 0 and 1")));
	if (ARR_NDIM(cols_arr) > 1 || ARR_NDIM(w_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("columns and weights must be one-dimensional arrays")));
	deconstruct_array(cols_arr, TEXTOID, -1, false, TYPALIGN_INT, &celems, &cnulls, &nc);
	deconstruct_array(w_arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &welems, &wnulls, &nw);
	if (nc != nw || nc == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("columns and weights must have the same, non-zero length")));

	model_view(model, &v);
	w = palloc0(sizeof(double) * Max(v.q, 1));
	for (int i = 0; i < nc; i++)
	{
		char	   *name;
		int			j;

		if (cnulls[i] || wnulls[i] || !isfinite(DatumGetFloat8(welems[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("columns and weights must not contain NULL, NaN or Infinity")));
		name = TextDatumGetCString(celems[i]);
		for (j = 0; j < v.q; j++)
			if (strcmp(v.names[j], name) == 0)
				break;
		if (j == v.q)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" is not a driver of the model", name)));
		w[j] += DatumGetFloat8(welems[i]);
	}

	memset(nl, 0, sizeof(nl));
	if (v.sds == NULL || !(v.sds[0] > 0.0))
		est = NAN;
	for (int a = 0; a < v.q && !isnan(est); a++)
	{
		if (w[a] == 0.0)
			continue;
		if (isnan(v.beta[a]) || !(v.sds[a + 1] > 0.0))
			est = NAN;
		else
			est += w[a] * v.beta[a] * v.sds[0] / v.sds[a + 1];
	}
	df = v.df;
	if (!isnan(est) && v.vcov != NULL)
	{
		for (int a = 0; a < v.q && !isnan(var); a++)
			for (int c = 0; c < v.q && !isnan(var); c++)
			{
				double		x;

				if (w[a] == 0.0 || w[c] == 0.0)
					continue;
				x = v.vcov[a * v.q + c];
				var = isnan(x) ? NAN : var + w[a] * w[c] * x * (v.sds[0] / v.sds[a + 1]) * (v.sds[0] / v.sds[c + 1]);
			}
		if (!isnan(var) && df > 0)
		{
			double		tq = gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, df);

			se = sqrt(Max(var, 0.0));
			lo = est - tq * se;
			hi = est + tq * se;
			if (se > 0.0)
			{
				t = est / se;
				p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
			}
		}
	}
	if (isnan(se))
		df = NAN;
	values[0] = Float8GetDatum(est);
	values[1] = Float8GetDatum(se);
	values[2] = Float8GetDatum(t);
	values[3] = Float8GetDatum(df);
	values[4] = Float8GetDatum(p);
	values[5] = Float8GetDatum(lo);
	values[6] = Float8GetDatum(hi);
	for (int i = 0; i < 7; i++)
		nl[i] = !isfinite(DatumGetFloat8(values[i]));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nl)));
}
