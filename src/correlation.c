/* correlation.c: Pearson correlation with inference (exlink.linked_correlation), guarded. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "correlation.h"
#include "exlink.h"
#include "moments.h"
#include "release_policy.h"

/* 1 - |r| within this many ulps (times sqrt(n), the typical rounding growth) is |r| = 1. */
#define PERFECT_TOLERANCE (8.0 * DBL_EPSILON)

/* Columns of exlink.correlation, in order. */
enum
{
	COL_N,
	COL_MEMBERS,
	COL_R,
	COL_T,
	COL_DF,
	COL_P,
	COL_CI_LOW,
	COL_CI_HIGH,
	COL_SUPPRESSED,
	COL_STATUS,
	COL_SKIPPED,
	COL_LEVEL,
	NUM_COLS
};

/*
 * Figures from co-moments, as R's cor.test computes them:
 *   r = Sxy / sqrt(Sxx Syy),  df = n - 2,  t = sqrt(df) r / sqrt(1 - r^2),
 *   p = 2 P(T_df > |t|),  CI = tanh(atanh(r) -+ z_{(1+level)/2} se),
 * se = 1/sqrt(n-3) (Pearson) or sqrt((1 + r^2/2)/(n-3)) (Spearman, Bonett & Wright 2000).
 * The first degeneracy found sets the status; figures that stay defined are kept.
 */
Datum
CorrelationResult(FunctionCallInfo fcinfo, const CorrelationInput *in)
{
	TupleDesc	tupdesc;
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	double		level = in->level > 0.0 ? in->level : CORRELATION_DEFAULT_LEVEL;
	const char *status = "ok";

	/* Cached per call site: a GROUP BY finalises once per group. */
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "exlink correlation called in a context that cannot accept a composite");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		if (tupdesc->natts != NUM_COLS)
			elog(ERROR, "exlink.correlation has %d columns, expected %d", tupdesc->natts, NUM_COLS);
		fcinfo->flinfo->fn_extra = tupdesc;
	}

	for (int i = 0; i < NUM_COLS; i++)
		nulls[i] = true;
	values[COL_SUPPRESSED] = BoolGetDatum(in->suppressed);
	nulls[COL_SUPPRESSED] = false;
	values[COL_LEVEL] = Float8GetDatum(level);
	nulls[COL_LEVEL] = false;

	if (in->suppressed)
		status = "suppressed";	/* not even n, skipped or members: nothing below k */
	else
	{
		double		n = (double) in->n;

		values[COL_N] = Int64GetDatum(in->n);
		nulls[COL_N] = false;
		values[COL_SKIPPED] = Int64GetDatum(in->skipped);
		nulls[COL_SKIPPED] = false;
		if (in->members >= 0)
		{
			values[COL_MEMBERS] = Int64GetDatum(in->members);
			nulls[COL_MEMBERS] = false;
		}

		if (!isfinite(in->sxx) || !isfinite(in->syy) || !isfinite(in->sxy))
			status = "overflow";
		else if (in->n < 3)
			status = "too_few_rows";
		else if (in->sxx <= 0.0 || in->syy <= 0.0)
			status = "zero_variance";
		else
		{
			/* sqrt of each factor: Sxx * Syy alone could overflow. */
			double		r = in->sxy / (sqrt(in->sxx) * sqrt(in->syy));
			double		df = n - 2.0;

			values[COL_DF] = Float8GetDatum(df);
			nulls[COL_DF] = false;
			if (!isfinite(r))
				status = "overflow";
			else if (1.0 - fabs(r) <= PERFECT_TOLERANCE * Max(1.0, sqrt(n)))
			{
				/*
				 * Perfectly linear data: rounding in the co-moments leaves |r| a few ulps
				 * from 1 (either side), which would give an absurd finite t; report r = +-1
				 * and leave t, p and the interval undefined.
				 */
				values[COL_R] = Float8GetDatum(r > 0 ? 1.0 : -1.0);
				nulls[COL_R] = false;
				status = "perfect_correlation";
			}
			else
			{
				double		t = sqrt(df) * r / sqrt(1.0 - r * r);
				double		p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);

				values[COL_R] = Float8GetDatum(r);
				nulls[COL_R] = false;
				values[COL_T] = Float8GetDatum(t);
				nulls[COL_T] = false;
				if (isfinite(p))
				{
					values[COL_P] = Float8GetDatum(Min(p, 1.0));
					nulls[COL_P] = false;
				}
				else
					status = "numerical_error";

				if (in->n <= 3)
				{
					if (strcmp(status, "ok") == 0)
						status = "too_few_rows_for_interval";
				}
				else
				{
					double		q = gsl_cdf_ugaussian_Pinv((1.0 + level) / 2.0);
					double		se = in->kind == CORRELATION_SPEARMAN
						? sqrt((1.0 + r * r / 2.0) / (n - 3.0))
						: 1.0 / sqrt(n - 3.0);
					double		z = atanh(r);
					double		lo = tanh(z - q * se);
					double		hi = tanh(z + q * se);

					if (isfinite(lo) && isfinite(hi))
					{
						values[COL_CI_LOW] = Float8GetDatum(lo);
						nulls[COL_CI_LOW] = false;
						values[COL_CI_HIGH] = Float8GetDatum(hi);
						nulls[COL_CI_HIGH] = false;
					}
					else
						status = "numerical_error";
				}
			}
		}
	}
	values[COL_STATUS] = CStringGetTextDatum(status);
	nulls[COL_STATUS] = false;

	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * Transition: exlink.linked_correlation(cx, ex [, member [, level]]).  The hot path of the
 * bench: a specialised p = 2 update, arithmetically identical to MomentsAccumulate (so the
 * row form and the moments-cell form agree bit for bit), and a member hashed only while the
 * member set still counts (past MEMBERS_CAP distinct members a row costs no hashing).
 */
PG_FUNCTION_INFO_V1(exlink_linked_correlation_transfn);
Datum
exlink_linked_correlation_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Moments    *m = ExlinkAggState(fcinfo, "exlink_linked_correlation_transfn", &aggcxt);
	double		x,
				y;

	if (m == NULL)
		m = MomentsCreate(aggcxt, 2, ExlinkAggGuarded(fcinfo, 3), MEMBERS_CAP);

	if (PG_NARGS() >= 5)
		ExlinkSetLevel(&m->level, ExlinkLevelArg(fcinfo, 4));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	x = PG_GETARG_FLOAT8(1);
	y = PG_GETARG_FLOAT8(2);
	if (!isfinite(x) || !isfinite(y))
		goto skip;

	if (m->track_members && !ExlinkMemberRow(fcinfo, 3, &m->members, aggcxt))
		goto skip;

	{
		double		n1 = (double) (m->n + 1);
		double		f = (double) m->n / n1;
		double		dx = x - m->mean[0];
		double		dy = y - m->mean[1];
		double		fdx = f * dx;
		double	   *c = m->comoment;

		m->mean[0] += dx / n1;
		m->mean[1] += dy / n1;
		c[0] += fdx * dx;
		c[1] += fdx * dy;
		c[2] += (f * dy) * dy;
		m->n++;
	}
	PG_RETURN_POINTER(m);

skip:
	m->skipped++;
	PG_RETURN_POINTER(m);
}

/*
 * Final: the row forms.  Rows-without-member form: never suppressed.  Member forms (declared
 * with FINALFUNC_EXTRA, so PG_NARGS() > 1): suppressed below max(exlink.min_group_size, k),
 * including a group with no rows at all.
 */
PG_FUNCTION_INFO_V1(exlink_linked_correlation_finalfn);
Datum
exlink_linked_correlation_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = ExlinkFinalState(fcinfo, "exlink_linked_correlation_finalfn");
	bool		guarded = m != NULL ? m->track_members : ExlinkAggGuarded(fcinfo, 3);
	CorrelationInput in = {CORRELATION_PEARSON};

	if (m == NULL)
	{
		ReleaseFacts facts;

		in.members = guarded ? 0 : -1;
		ReleaseFactsInit(&facts, in.members, 0);
		in.suppressed = !ReleaseAllowed(&facts);
		return CorrelationResult(fcinfo, &in);
	}
	if (m->p != 2)
		elog(ERROR, "exlink_linked_correlation_finalfn: state has %d variables, expected 2", m->p);
	in.n = m->n;
	in.sxx = m->comoment[0];
	in.sxy = m->comoment[1];
	in.syy = m->comoment[2];
	in.skipped = m->skipped;
	in.members = MomentsMembers(m);
	if (guarded)
	{
		ReleaseFacts facts;

		MomentsReleaseFacts(m, &facts);
		in.suppressed = !ReleaseAllowed(&facts);
	}
	in.level = m->level;
	return CorrelationResult(fcinfo, &in);
}

/*
 * exlink.linked_correlation(m exlink.moments, i int, j int [, level float8]): variables i
 * and j (1-based) of a published cell or a merge of cells.  The value's member lower bound is
 * checked against exlink.min_group_size: a cell known to cover fewer members is suppressed.
 */
PG_FUNCTION_INFO_V1(exlink_linked_correlation_moments);
Datum
exlink_linked_correlation_moments(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);
	int32		i = PG_GETARG_INT32(1);
	int32		j = PG_GETARG_INT32(2);
	int			p = v->p;
	const double *c = v->data + p;
	CorrelationInput in = {CORRELATION_PEARSON};

	if (i < 1 || i > p || j < 1 || j > p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variable index out of range"),
				 errdetail("The value has %d variables; indexes are 1-based.", p)));
	if (PG_NARGS() >= 4)
		in.level = ExlinkLevelArg(fcinfo, 3);
	i--;
	j--;
	in.n = v->n;
	in.sxx = c[MOMENTS_TRI(p, i, i)];
	in.syy = c[MOMENTS_TRI(p, j, j)];
	in.sxy = c[MOMENTS_TRI(p, Min(i, j), Max(i, j))];
	in.skipped = v->skipped;
	in.members = v->members;
	{
		ReleaseFacts facts;

		ReleaseFactsInit(&facts, v->members, 0);
		in.suppressed = !ReleaseAllowed(&facts);
	}
	return CorrelationResult(fcinfo, &in);
}
