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
		out[i + 1] = x > knots[i] ? x - knots[i] : 0.0;
	PG_RETURN_DATUM(result_array(out, m + 1));
}
