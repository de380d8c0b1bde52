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

#include "cluster_variance.h"
#include "comoments.h"
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
	COL_CLUSTERS,
	COL_INFERENCE,
	NUM_COLS
};

/*
 * Figures from co-moments, as R's cor.test computes them:
 *   r = Sxy / sqrt(Sxx Syy),  df = n - 2,  t = sqrt(df) r / sqrt(1 - r^2),
 *   p = 2 P(T_df > |t|),  CI = tanh(atanh(r) -+ z_{(1+level)/2} se),
 * se = 1/sqrt(n-3) (Pearson) or sqrt((1 + r^2/2)/(n-3)) (Spearman, Bonett & Wright 2000).
 * Spearman's rho is Pearson's r of the ranks: clustered, it gets the same t and interval,
 * computed on the ranks (the ranks taken as data, as the t approximation of cor.test does).
 * The first degeneracy found sets the status; figures that stay defined are kept.
 *
 * Clustered (members as clusters): one standard error se_z of atanh(r), symmetric in the two
 * variables, gives both the test and the interval, on G - 1 df:
 *   t = atanh(r) / se_z,  p = 2 P(T_{G-1} > |t|),  CI = tanh(atanh(r) -+ t_{G-1,(1+level)/2} se_z),
 * so p < 1 - level exactly when the interval excludes 0.  se_z is the delete-one-member
 * jackknife of atanh(r) by default (per-member moments), or the CR1 linearization of r
 * (inference => 'cr1', or merged cells: cluster_variance.c).  The choice and the null
 * simulation behind it are in docs/statistics.md, section 7.
 */
Datum
CorrelationResult(FunctionCallInfo fcinfo, const CorrelationInput *in)
{
	TupleDesc	tupdesc;
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	double		level = in->level > 0.0 ? in->level : CORRELATION_DEFAULT_LEVEL;
	const char *status = "ok";
	bool		clustered = in->clustered;
	bool		unavailable = in->inference != NULL &&
		strncmp(in->inference, "unavailable", 11) == 0;

	/* Cached per call site: a GROUP BY finalises once per group. */
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "exlink correlation called in a context that cannot accept a composite");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		/* The 0.1.0 type (before clusters and inference) still works with this library. */
		if (tupdesc->natts != NUM_COLS && tupdesc->natts != COL_CLUSTERS)
			elog(ERROR, "exlink.correlation has %d columns, expected %d", tupdesc->natts, NUM_COLS);
		fcinfo->flinfo->fn_extra = tupdesc;
	}

	for (int i = 0; i < NUM_COLS; i++)
		nulls[i] = true;
	if (!in->suppressed)
	{
		values[COL_INFERENCE] = CStringGetTextDatum(in->inference ? in->inference : INFERENCE_INDEPENDENT);
		nulls[COL_INFERENCE] = false;
		if (clustered)
		{
			values[COL_CLUSTERS] = Int64GetDatum(in->clusters);
			nulls[COL_CLUSTERS] = false;
		}
	}
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
			double		df = !clustered ? n - 2.0 : in->df > 0.0 ? in->df : (double) in->clusters - 1.0;

			if (!unavailable)
			{
				values[COL_DF] = Float8GetDatum(df);
				nulls[COL_DF] = false;
			}
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
			else if (unavailable || (clustered && isnan(in->se_z)))
			{
				values[COL_R] = Float8GetDatum(r);
				nulls[COL_R] = false;
				status = "clustered_inference_unavailable";
			}
			else
			{
				double		t;
				double		p;
				if (clustered)
					t = atanh(r) / in->se_z;
				else
					t = sqrt(df) * r / sqrt(1.0 - r * r);
				p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);

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
					double		q = clustered
						? gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, df)
						: gsl_cdf_ugaussian_Pinv((1.0 + level) / 2.0);
					double		se = clustered ? in->se_z
						: in->kind == CORRELATION_SPEARMAN ? sqrt((1.0 + r * r / 2.0) / (n - 3.0))
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
	/* CR1 (rows or merged cells) warns of few clusters; the default methods are built for them. */
	if (clustered && (strncmp(in->inference, INFERENCE_CLUSTER, strlen(INFERENCE_CLUSTER)) == 0 ||
					  strncmp(in->inference, INFERENCE_TWOWAY, 7) == 0) &&
		strcmp(status, "ok") == 0 && in->clusters < MOMENTS_FEW_CLUSTERS)
		status = "few_clusters";
	values[COL_STATUS] = CStringGetTextDatum(status);
	nulls[COL_STATUS] = false;

	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * Transition: exlink.linked_correlation(cx, ex [, member [, level [, inference [, cluster]]]])
 * (cluster: a coarser unit holding the members, e.g. the team, that the inference clusters by).  The hot
 * path of the bench: a specialised p = 2 update, arithmetically identical to
 * MomentsAccumulate (so the row form and the moments-cell form agree bit for bit), and a
 * member hashed only while the member set still counts (past MEMBERS_CAP distinct members a
 * row costs no hashing).  With a member and cluster-robust inference (the default), rows go
 * to the per-member table instead.
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
	{
		m = MomentsCreate(aggcxt, 2, ExlinkAggGuarded(fcinfo, 3), MEMBERS_CAP);
		if (PG_NARGS() >= 6)
			MomentsSetInference(m, ExlinkInferenceArg(fcinfo, 5));
		if (m->track_members && m->inference != MOMENTS_INFERENCE_INDEPENDENT)
			MomentsUseClusters(m);
	}
	else if (PG_NARGS() >= 6)
		MomentsSetInference(m, ExlinkInferenceArg(fcinfo, 5));

	if (PG_NARGS() >= 5)
		ExlinkSetLevel(&m->level, ExlinkLevelArg(fcinfo, 4));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	x = PG_GETARG_FLOAT8(1);
	y = PG_GETARG_FLOAT8(2);
	if (!isfinite(x) || !isfinite(y))
		goto skip;

	if (m->cluster == CLUSTER_ROWS)
	{
		double		xy[2] = {x, y};

		if (!(PG_NARGS() >= 7 ? MomentsClusterRowOuter(m, fcinfo, 3, 6, xy) :
			  MomentsClusterRow(m, fcinfo, 3, xy)))
			goto skip;
		PG_RETURN_POINTER(m);
	}

	if (m->track_members && !ExlinkMemberRow(fcinfo, 3, &m->members, aggcxt))
		goto skip;

	{
		double		xy[2] = {x, y};
		double		d[2];

		CoMomentsUpdate(2, (double) m->n, m->mean, m->comoment, xy, d);
		m->n++;
	}
	PG_RETURN_POINTER(m);

skip:
	m->skipped++;
	PG_RETURN_POINTER(m);
}

/*
 * The degrees of freedom of the jackknife's t: the mean of the CR2 Satterthwaite df of the two
 * slopes, b on a and a on b (cluster_variance.h), so symmetric in the arguments.  Why: t_{G-1}
 * treats the jackknife variance as if every cluster carried as much of it, while with unequal
 * clusters a few large ones carry most; with G - 1 the jackknife rejected a true null 5.9 % (G =
 * 30) and 5.6 % (G = 100) of the time at 5 % (10,002 tests each, docs/statistics.md section 7),
 * with this df 4.9 % and 5.3 %.  0 (G - 1) when a df is undefined.
 */
static double
jackknife_df(const Moments *m, int a, int b, double r)
{
	double		df[2];
	double		one = 1.0;

	for (int k = 0; k < 2; k++)
	{
		int			x = k == 0 ? a : b;
		ClusterDesign d = {m, k == 0 ? b : a, 1, &x, &r, &one};
		double		cov;

		/* the standardized slope of either regression is r, and R^-1 = 1 */
		if (!ClusterVarianceCR2(&d, &cov, &df[k]) || !(df[k] > 0.0) || !isfinite(df[k]))
			return 0.0;
	}
	return (df[0] + df[1]) / 2.0;
}

/*
 * The inference fields of in for variables a and b of a resolved state (also the ranks of
 * exlink.rank_correlation): the default rule of MomentsInference, the jackknife for the
 * small-sample method.
 */
void
CorrelationInference(const Moments *m, int a, int b, CorrelationInput *in)
{
	const char *why;
	InferenceMethod method = MomentsInference(m, &in->clusters, &why);
	bool		ok;

	in->clustered = false;
	switch (method)
	{
		case INFERENCE_METHOD_INDEPENDENT:
			in->inference = INFERENCE_INDEPENDENT;
			return;
		case INFERENCE_METHOD_UNAVAILABLE:
			in->inference = why;
			return;
		case INFERENCE_METHOD_CR1:
			in->inference = m->cluster == CLUSTER_ROWS ? INFERENCE_CLUSTER : INFERENCE_CR1_CELLS;
			ok = ClusterCorrelationLinear(m, a, b, &in->se_z);
			break;
		case INFERENCE_METHOD_SMALL_SAMPLE:
		default:
			in->inference = INFERENCE_JACKKNIFE;
			ok = ClusterCorrelationJackknife(m, a, b, &in->se_z);
			if (ok && m->inference != MOMENTS_INFERENCE_TWOWAY)
			{
				double		sab = m->comoment[MOMENTS_TRI(m->p, Min(a, b), Max(a, b))];
				double		saa = m->comoment[MOMENTS_TRI(m->p, a, a)];
				double		sbb = m->comoment[MOMENTS_TRI(m->p, b, b)];
				double		r = sab / (sqrt(saa) * sqrt(sbb));

				if (isfinite(r) && fabs(r) < 1.0)
					in->df = jackknife_df(m, a, b, r);
			}
			break;
	}
	/*
	 * Degenerate data (zero variance, |r| = 1, a leave-one-member-out correlation undefined)
	 * leave se_z undefined: CorrelationResult then reports r without t, p or interval.
	 */
	in->clustered = true;
	if (!ok || !(in->se_z > 0.0) || !isfinite(in->se_z))
		in->se_z = NAN;
	if (m->inference == MOMENTS_INFERENCE_TWOWAY)
		in->inference = psprintf("%s (" INT64_FORMAT " members, " INT64_FORMAT " clusters, " INT64_FORMAT " cells)",
								 INFERENCE_TWOWAY, m->clusters->count,
								 m->clusters->twoway_by_cluster->count, m->clusters->twoway_cells->count);
	/* A coarser cluster than the member: the jackknife deletes one cluster, CR1 sums per cluster. */
	else if (m->cluster == CLUSTER_ROWS && m->clusters != NULL && m->clusters->by_outer)
		in->inference = psprintf("%s, clustered by cluster (" INT64_FORMAT " clusters)",
								 method == INFERENCE_METHOD_CR1 ? in->inference : "cluster jackknife (delete one cluster)",
								 in->clusters);
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
		/* No rows: a guarded form has 0 members (refused), an unguarded one nothing to hide. */
		ReleaseFacts facts;

		in.members = guarded ? 0 : -1;
		ReleaseFactsInit(&facts, 0, 0);
		in.suppressed = guarded && !ReleaseAllowed(&facts);
		return CorrelationResult(fcinfo, &in);
	}
	if (m->p != 2)
		elog(ERROR, "exlink_linked_correlation_finalfn: state has %d variables, expected 2", m->p);
	m = MomentsResolve(m);
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
	if (!in.suppressed)
		CorrelationInference(m, 0, 1, &in);
	return CorrelationResult(fcinfo, &in);
}

/*
 * exlink.linked_correlation(m exlink.moments, i int, j int [, level float8 [, inference]]):
 * variables i and j (1-based) of a published cell or a merge of cells; the clustered t is
 * that of the slope of variable i (CX) on variable j (EX).  The value's member lower bound is
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

		ReleaseFactsOfValue(&facts, v->members, 0);
		in.suppressed = !ReleaseAllowed(&facts);
	}
	if (!in.suppressed)
	{
		Moments    *m = MomentsFromValue(v, CurrentMemoryContext);

		if (PG_NARGS() >= 5)
			m->inference = ExlinkInferenceArg(fcinfo, 4);
		if (i == j)
			m->inference = MOMENTS_INFERENCE_INDEPENDENT;	/* r = 1: no inference anyway */
		CorrelationInference(MomentsResolve(m), i, j, &in);
	}
	return CorrelationResult(fcinfo, &in);
}
