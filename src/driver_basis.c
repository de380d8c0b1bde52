/* driver_basis.c: the columns of a driver group built in SQL (dummies, piecewise-linear basis). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "moments.h"

/*
 * So that nobody hand-codes a basis: each function returns the float8[] of one row's columns of
 * a group, to be concatenated (||) into driver_weights' drivers array.  They are IMMUTABLE and
 * STRICT (a NULL value gives a NULL array: the row is skipped and counted, as any incomplete
 * row), and they check their definition on every call (cheap next to the aggregate's work).
 */

static float8 *
float_array(ArrayType *arr, const char *what, int *count)
{
	Datum	   *elems;
	bool	   *nulls;
	float8	   *out;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, count);
	out = palloc(sizeof(float8) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
	{
		if (nulls[i] || !isfinite(DatumGetFloat8(elems[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be finite and not NULL", what)));
		out[i] = DatumGetFloat8(elems[i]);
	}
	return out;
}

static Datum
result_array(const float8 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
										   TYPALIGN_DOUBLE));
}

/*
 * dummies(value, levels, reference): one 0/1 column per level other than the reference, in the
 * order of levels (R's contr.treatment with the reference first).  A value that is not a level
 * is an error (22023): a silently dropped category would bias the others' contrasts.
 */
PG_FUNCTION_INFO_V1(exlink_dummies);
Datum
exlink_dummies(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	ArrayType  *levels = PG_GETARG_ARRAYTYPE_P(1);
	text	   *reference = PG_GETARG_TEXT_PP(2);
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	int			ref = -1,
				hit = -1;
	float8	   *out;
	int			c = 0;

	if (ARR_NDIM(levels) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("levels must be a one-dimensional array")));
	deconstruct_array(levels, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	if (count < 2 || count > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("levels must have between 2 and %d entries", MOMENTS_MAX_DIM)));
	for (int i = 0; i < count; i++)
	{
		text	   *l;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("levels must not contain NULL")));
		l = DatumGetTextPP(elems[i]);
		for (int j = 0; j < i; j++)
			if (DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID, elems[i], elems[j])))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("levels must be distinct")));
		if (DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID, PointerGetDatum(l),
												 PointerGetDatum(reference))))
			ref = i;
		if (DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID, PointerGetDatum(l),
												 PointerGetDatum(value))))
			hit = i;
	}
	if (ref < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reference must be one of the levels")));
	if (hit < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value is not one of the levels"),
				 errhint("List every level (map rare ones to a level first), or filter the rows.")));
	out = palloc(sizeof(float8) * (count - 1));
	for (int i = 0; i < count; i++)
		if (i != ref)
			out[c++] = (i == hit) ? 1.0 : 0.0;
	PG_RETURN_DATUM(result_array(out, count - 1));
}

/*
 * piecewise_linear(x, knots): the truncated-power linear basis x, (x - k_1)+, ..., (x - k_m)+
 * (knots strictly increasing).  Its coefficients are the slope below k_1 and the change of slope
 * at each knot, so the slope beyond k_j is the sum of the first j + 1 coefficients.
 */
PG_FUNCTION_INFO_V1(exlink_piecewise_linear);
Datum
exlink_piecewise_linear(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	int			m;
	float8	   *knots = float_array(PG_GETARG_ARRAYTYPE_P(1), "knots", &m);
	float8	   *out;

	if (m + 1 > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many knots"),
				 errdetail("At most %d knots are allowed.", MOMENTS_MAX_DIM - 1)));
	for (int i = 1; i < m; i++)
		if (!(knots[i] > knots[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("knots must be strictly increasing")));
	if (isnan(x))
		PG_RETURN_NULL();
	out = palloc(sizeof(float8) * (m + 1));
	out[0] = x;
	for (int i = 0; i < m; i++)
	{
		out[i + 1] = x > knots[i] ? x - knots[i] : 0.0;
		/* As float8 subtraction: a finite x and knot whose difference overflows is an error. */
		if (isinf(out[i + 1]) && !isinf(x))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range: overflow"),
					 errdetail("x - knot overflows double precision.")));
	}
	PG_RETURN_DATUM(result_array(out, m + 1));
}

/*
 * The B-spline basis of the given order on knot sequence t[0..nt-1] (nt - order functions) at x,
 * or its deriv-th derivative (Cox-de Boor recursion, then the derivative recursion
 * B'_{i,m} = (m-1) (B_{i,m-1} / (t_{i+m-1} - t_i) - B_{i+1,m-1} / (t_{i+m} - t_{i+1}))).
 * Intervals are closed on the left; x at the right boundary t[nt-order] belongs to the last
 * non-empty interval (as splines::splineDesign).  out: [nt - order].
 */
static void
bspline_eval(const double *t, int nt, int order, double x, int deriv, double *out)
{
	const int	nb = nt - order;
	double		b[MOMENTS_MAX_DIM + 8];

	for (int i = 0; i < nt - 1; i++)
		b[i] = (t[i] <= x && x < t[i + 1]) ? 1.0 : 0.0;
	if (x >= t[nb])
		for (int i = nt - 2; i >= 0; i--)
			if (t[i] < t[i + 1])
			{
				b[i] = 1.0;
				break;
			}
	for (int m = 2; m <= order; m++)
		for (int i = 0; i < nt - m; i++)
		{
			double		d1 = t[i + m - 1] - t[i];
			double		d2 = t[i + m] - t[i + 1];

			if (m <= order - deriv)
				b[i] = (d1 > 0.0 ? (x - t[i]) / d1 * b[i] : 0.0)
					+ (d2 > 0.0 ? (t[i + m] - x) / d2 * b[i + 1] : 0.0);
			else
				b[i] = (m - 1) * ((d1 > 0.0 ? b[i] / d1 : 0.0) - (d2 > 0.0 ? b[i + 1] / d2 : 0.0));
		}
	for (int i = 0; i < nb; i++)
		out[i] = b[i];
}

/*
 * natural_spline(x, knots, boundary, derivative): the basis of splines::ns(x, knots = knots,
 * Boundary.knots = boundary, intercept = FALSE), or its first or second derivative in x; length
 * knots + 1.  As ns(): the cubic B-splines on (boundary[1] x4, knots, boundary[2] x4) without
 * the first, projected by the QR decomposition (LINPACK dqrdc2, as R's qr()) of their second
 * derivatives at the two boundaries onto the space where both are zero (rows 3.. of Q'B), and
 * linear beyond the boundary knots.  The Householder steps are R's, so the columns are ns()'s,
 * not merely a basis of the same space: coefficients can be compared with R's.
 */
PG_FUNCTION_INFO_V1(exlink_natural_spline);
Datum
exlink_natural_spline(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	int			m,
				nbd;
	float8	   *knots = float_array(PG_GETARG_ARRAYTYPE_P(1), "knots", &m);
	float8	   *bd = float_array(PG_GETARG_ARRAYTYPE_P(2), "boundary", &nbd);
	int			deriv = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : 0;
	double		t[MOMENTS_MAX_DIM + 8];
	double		a[2][MOMENTS_MAX_DIM + 4];	/* the columns of t(const), rows 1..nb-1 */
	double		qraux[2];
	double		v[MOMENTS_MAX_DIM + 4];
	double		full[MOMENTS_MAX_DIM + 4];
	int			nt,
				nb,
				n;

	if (nbd != 2 || !(bd[0] < bd[1]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("boundary must be two increasing values")));
	if (m + 1 > MOMENTS_MAX_DIM - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many knots"),
				 errdetail("At most %d knots are allowed.", MOMENTS_MAX_DIM - 2)));
	for (int i = 0; i < m; i++)
		if (!(knots[i] > (i == 0 ? bd[0] : knots[i - 1])) || !(knots[i] < bd[1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("knots must be strictly increasing and strictly inside the boundary")));
	if (deriv < 0 || deriv > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("derivative must be 0, 1 or 2")));
	/* Infinite x: linear extrapolation would multiply infinity by the zero slopes (NaN). */
	if (!isfinite(x))
		PG_RETURN_NULL();

	nt = m + 8;
	nb = nt - 4;
	n = nb - 1;
	for (int i = 0; i < 4; i++)
	{
		t[i] = bd[0];
		t[nt - 1 - i] = bd[1];
	}
	for (int i = 0; i < m; i++)
		t[4 + i] = knots[i];

	/* t(const): second derivatives at the boundaries, without the first B-spline. */
	for (int c = 0; c < 2; c++)
	{
		bspline_eval(t, nt, 4, bd[c], 2, full);
		for (int i = 0; i < n; i++)
			a[c][i] = full[i + 1];
	}
	/* dqrdc2 (no pivoting is needed: the two columns are independent for any knots). */
	for (int l = 0; l < 2; l++)
	{
		double		nrm = 0.0;

		qraux[l] = 0.0;
		for (int i = l; i < n; i++)
			nrm += a[l][i] * a[l][i];
		nrm = sqrt(nrm);
		if (nrm == 0.0)
			continue;
		if (a[l][l] != 0.0)
			nrm = copysign(nrm, a[l][l]);
		for (int i = l; i < n; i++)
			a[l][i] /= nrm;
		a[l][l] += 1.0;
		for (int j = l + 1; j < 2; j++)
		{
			double		s = 0.0;

			for (int i = l; i < n; i++)
				s += a[l][i] * a[j][i];
			s = -s / a[l][l];
			for (int i = l; i < n; i++)
				a[j][i] += s * a[l][i];
		}
		qraux[l] = a[l][l];
		a[l][l] = -nrm;
	}

	/* The B-spline row at x (linear beyond the boundary), without the first function. */
	if (x < bd[0] || x > bd[1])
	{
		double		pivot = x < bd[0] ? bd[0] : bd[1];
		double		d1[MOMENTS_MAX_DIM + 4];

		bspline_eval(t, nt, 4, pivot, 1, d1);
		if (deriv == 0)
		{
			bspline_eval(t, nt, 4, pivot, 0, full);
			for (int i = 0; i < nb; i++)
				full[i] += (x - pivot) * d1[i];
		}
		else
			for (int i = 0; i < nb; i++)
				full[i] = deriv == 1 ? d1[i] : 0.0;
	}
	else
		bspline_eval(t, nt, 4, x, deriv, full);
	for (int i = 0; i < n; i++)
		v[i] = full[i + 1];

	/* qr.qty (dqrsl): v <- H_2 H_1 v; keep rows 3..n. */
	for (int j = 0; j < 2; j++)
	{
		double		keep = a[j][j];
		double		s = 0.0;

		if (qraux[j] == 0.0)
			continue;
		a[j][j] = qraux[j];
		for (int i = j; i < n; i++)
			s += a[j][i] * v[i];
		s = -s / a[j][j];
		for (int i = j; i < n; i++)
			v[i] += s * a[j][i];
		a[j][j] = keep;
	}
	/* Boundary and knots of extreme magnitudes overflow the divided differences (1e308 apart). */
	for (int i = 2; i < n; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("natural spline basis out of range"),
					 errdetail("The boundary and knots are too far apart, or too close together, for double precision.")));
	PG_RETURN_DATUM(result_array(v + 2, n - 2));
}
