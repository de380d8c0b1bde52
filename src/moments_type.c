/* moments_type.c: the SQL type exlink.moments (I/O, validation) and its aggregates. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "compat.h"
#include "exlink.h"
#include "moments.h"

/*
 * Text form, JSON-compatible and exact (shortest round-trip digits):
 *   {"p":2,"n":10,"skipped":0,"members":7,"mean":[1.5,2],"comoment":[8,3,4]}
 * members is null when unknown.  comoment is the packed upper triangle, row by row.
 */

static void
invalid_value(bool binary, const char *detail)
{
	ereport(ERROR,
			(errcode(binary ? ERRCODE_INVALID_BINARY_REPRESENTATION : ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid exlink.moments value"),
			 errdetail("%s", detail)));
}

/*
 * Everything a user can type or send is untrusted: check every field and the consistency of
 * the co-moment matrix (non-negative diagonal, Cauchy-Schwarz), so no later computation is fed
 * a value that no data could have produced.
 */
static void
validate_value(const MomentsValue *v, bool binary)
{
	int			p = v->p;
	const double *mean = v->data;
	const double *c = v->data + p;

	if (!((v->version == MOMENTS_VALUE_VERSION && v->flags == 0) ||
		  (v->version == MOMENTS_VALUE_VERSION_SUMMARY && v->flags == MOMENTS_FLAG_SUMMARY)))
		invalid_value(binary, "Unsupported format version.");
	if (p < 1 || p > MOMENTS_MAX_DIM)
		invalid_value(binary, "The number of variables must be between 1 and 64.");
	if (VARSIZE(v) != (MomentsValueHasSummary(v) ? MomentsValueSummarySize(p) : MomentsValueSize(p)))
		invalid_value(binary, "The value's size does not match its number of variables.");
	if (MomentsValueHasSummary(v))
	{
		const double *sum = v->data + p + MOMENTS_TRI_SIZE(p);
		double		g = sum[0];
		int			r = SUMMARY_R(p);
		const double *S = sum + 1;
		double	   *diag;
		int			k = 0;

		if (p > MOMENTS_SUMMARY_MAX_DIM)
			invalid_value(binary, "Only values of at most 16 variables carry a cluster summary.");
		if (!(g == floor(g) && g >= (v->n > 0 ? 1.0 : 0.0) && g <= (double) v->n &&
			  g <= (double) MOMENTS_MAX_CLUSTERS))
			invalid_value(binary, "The number of clusters must be an integer between 1 and min(n, 2^53).");
		diag = palloc(sizeof(double) * r);
		for (int a = 0; a < r; a++)
			for (int b = a; b < r; b++, k++)
			{
				if (!isfinite(S[k]))
					invalid_value(binary, "The cluster summary must be finite.");
				if (a == b)
				{
					if (S[k] < 0.0)
						invalid_value(binary, "The cluster summary is not positive semi-definite.");
					diag[a] = S[k];
				}
			}
		k = 0;
		for (int a = 0; a < r; a++)
			for (int b = a; b < r; b++, k++)
				if (fabs(S[k]) > sqrt(diag[a]) * sqrt(diag[b]) * (1.0 + 1e-9))
					invalid_value(binary, "The cluster summary is not positive semi-definite.");
		pfree(diag);
	}
	if (v->n < 0 || v->skipped < 0)
		invalid_value(binary, "Row counts cannot be negative.");
	if (v->members < -1 || v->members > Min(v->n, MEMBERS_CAP))
		invalid_value(binary, "The member count must be unknown (null) or between 0 and min(n, 1000).");
	for (int i = 0; i < p + MOMENTS_TRI_SIZE(p); i++)
		if (!isfinite(v->data[i]))
			invalid_value(binary, "Means and co-moments must be finite.");
	for (int i = 0; i < p; i++)
	{
		double		cii = c[MOMENTS_TRI(p, i, i)];

		if (v->n == 0 && mean[i] != 0.0)
			invalid_value(binary, "An empty value must have zero means.");
		if (cii < 0.0)
			invalid_value(binary, "Co-moments on the diagonal cannot be negative.");
		for (int j = i; j < p; j++)
		{
			double		cij = c[MOMENTS_TRI(p, i, j)];
			double		cjj = c[MOMENTS_TRI(p, j, j)];

			if (v->n <= 1 && cij != 0.0)
				invalid_value(binary, "Fewer than two rows have zero co-moments.");
			if (fabs(cij) > sqrt(cii) * sqrt(cjj) * (1.0 + 1e-9))
				invalid_value(binary, "The co-moment matrix is not positive semi-definite.");
		}
	}
}

/* --- text input: a small strict parser for exactly the output format ------------------- */

typedef struct Parser
{
	const char *s;
	const char *orig;
} Parser;

static void
skip_ws(Parser *ps)
{
	while (*ps->s == ' ' || *ps->s == '\t' || *ps->s == '\n' || *ps->s == '\r')
		ps->s++;
}

static void
syntax_error(Parser *ps)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type exlink.moments"),
			 errdetail("Expected {\"p\":..,\"n\":..,\"skipped\":..,\"members\":..,\"mean\":[..],\"comoment\":[..]}; "
					   "stopped at character %d.", (int) (ps->s - ps->orig) + 1)));
}

static void
expect(Parser *ps, const char *tok)
{
	size_t		len = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->s, tok, len) != 0)
		syntax_error(ps);
	ps->s += len;
}

static bool
accept(Parser *ps, const char *tok)
{
	size_t		len = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->s, tok, len) != 0)
		return false;
	ps->s += len;
	return true;
}

static int64
parse_int(Parser *ps)
{
	char	   *end;
	int64		v;

	skip_ws(ps);
	if (!(*ps->s == '-' || (*ps->s >= '0' && *ps->s <= '9')))
		syntax_error(ps);
	errno = 0;
	v = strtoi64(ps->s, &end, 10);
	if (errno != 0 || end == ps->s)
		syntax_error(ps);
	ps->s = end;
	return v;
}

static double
parse_float(Parser *ps)
{
	char	   *end;
	double		v;

	skip_ws(ps);
	/* Only JSON numbers: no NaN/Infinity words, which the validation would refuse anyway. */
	if (!(*ps->s == '-' || (*ps->s >= '0' && *ps->s <= '9')))
		syntax_error(ps);
	v = ExlinkFloat8In((char *) ps->s, &end, ps->orig);
	ps->s = end;
	return v;
}

static void
parse_floats(Parser *ps, double *out, int count)
{
	expect(ps, "[");
	for (int i = 0; i < count; i++)
	{
		if (i > 0)
			expect(ps, ",");
		out[i] = parse_float(ps);
	}
	expect(ps, "]");
}

PG_FUNCTION_INFO_V1(exlink_moments_in);
Datum
exlink_moments_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Parser		ps = {str, str};
	int64		p;
	MomentsValue *v;

	expect(&ps, "{");
	expect(&ps, "\"p\"");
	expect(&ps, ":");
	p = parse_int(&ps);
	if (p < 1 || p > MOMENTS_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid exlink.moments value"),
				 errdetail("The number of variables must be between 1 and 64.")));
	v = palloc0(MomentsValueSize(p));
	SET_VARSIZE(v, MomentsValueSize(p));
	v->version = MOMENTS_VALUE_VERSION;
	v->p = (int16) p;
	expect(&ps, ",");
	expect(&ps, "\"n\"");
	expect(&ps, ":");
	v->n = parse_int(&ps);
	expect(&ps, ",");
	expect(&ps, "\"skipped\"");
	expect(&ps, ":");
	v->skipped = parse_int(&ps);
	expect(&ps, ",");
	expect(&ps, "\"members\"");
	expect(&ps, ":");
	v->members = accept(&ps, "null") ? -1 : parse_int(&ps);
	if (v->members < 0 && v->members != -1)
		invalid_value(false, "The member count must be unknown (null) or between 0 and min(n, 1000).");
	expect(&ps, ",");
	expect(&ps, "\"mean\"");
	expect(&ps, ":");
	parse_floats(&ps, v->data, (int) p);
	expect(&ps, ",");
	expect(&ps, "\"comoment\"");
	expect(&ps, ":");
	parse_floats(&ps, v->data + p, MOMENTS_TRI_SIZE((int) p));
	if (accept(&ps, ","))
	{
		/* Version 2: the cluster summary (p <= 16). */
		MomentsValue *v2;
		int64		g;

		if (p > MOMENTS_SUMMARY_MAX_DIM)
			invalid_value(false, "Only values of at most 16 variables carry a cluster summary.");
		v2 = palloc0(MomentsValueSummarySize(p));
		memcpy(v2, v, MomentsValueSize(p));
		SET_VARSIZE(v2, MomentsValueSummarySize(p));
		v2->version = MOMENTS_VALUE_VERSION_SUMMARY;
		v2->flags = MOMENTS_FLAG_SUMMARY;
		v = v2;
		expect(&ps, "\"clusters\"");
		expect(&ps, ":");
		g = parse_int(&ps);
		if (g < 0 || g > v->n || g > MOMENTS_MAX_CLUSTERS)
			invalid_value(false, "The number of clusters must be an integer between 1 and min(n, 2^53).");
		v->data[p + MOMENTS_TRI_SIZE((int) p)] = (double) g;
		expect(&ps, ",");
		expect(&ps, "\"cluster_summary\"");
		expect(&ps, ":");
		parse_floats(&ps, v->data + p + MOMENTS_TRI_SIZE((int) p) + 1,
					 MOMENTS_TRI_SIZE(SUMMARY_R((int) p)));
	}
	expect(&ps, "}");
	skip_ws(&ps);
	if (*ps.s != '\0')
		syntax_error(&ps);

	validate_value(v, false);
	PG_RETURN_POINTER(v);
}

/*
 * Shortest round-trip digits whatever extra_float_digits says (float8out_internal rounds to
 * 15 digits when a session sets it to 0 or less, which would make COPY TO lossy).
 */
static void
append_floats(StringInfo buf, const double *x, int count)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	appendStringInfoChar(buf, '[');
	for (int i = 0; i < count; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		double_to_shortest_decimal_buf(x[i], digits);
		appendStringInfoString(buf, digits);
	}
	appendStringInfoChar(buf, ']');
}

PG_FUNCTION_INFO_V1(exlink_moments_out);
Datum
exlink_moments_out(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"p\":%d,\"n\":" INT64_FORMAT ",\"skipped\":" INT64_FORMAT ",\"members\":",
					 v->p, v->n, v->skipped);
	if (v->members < 0)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, INT64_FORMAT, v->members);
	appendStringInfoString(&buf, ",\"mean\":");
	append_floats(&buf, v->data, v->p);
	appendStringInfoString(&buf, ",\"comoment\":");
	append_floats(&buf, v->data + v->p, MOMENTS_TRI_SIZE(v->p));
	if (MomentsValueHasSummary(v))
	{
		const double *sum = v->data + v->p + MOMENTS_TRI_SIZE(v->p);

		appendStringInfo(&buf, ",\"clusters\":" INT64_FORMAT ",\"cluster_summary\":", (int64) sum[0]);
		append_floats(&buf, sum + 1, MOMENTS_TRI_SIZE(SUMMARY_R(v->p)));
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(exlink_moments_send);
Datum
exlink_moments_send(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, v->version);
	pq_sendint16(&buf, v->p);
	pq_sendint64(&buf, v->n);
	pq_sendint64(&buf, v->skipped);
	pq_sendint64(&buf, v->members);
	for (int i = 0; i < v->p + MOMENTS_TRI_SIZE(v->p); i++)
		pq_sendfloat8(&buf, v->data[i]);
	if (MomentsValueHasSummary(v))
	{
		const double *sum = v->data + v->p + MOMENTS_TRI_SIZE(v->p);

		pq_sendint64(&buf, (int64) sum[0]);
		for (int i = 1; i <= MOMENTS_TRI_SIZE(SUMMARY_R(v->p)); i++)
			pq_sendfloat8(&buf, sum[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(exlink_moments_recv);
Datum
exlink_moments_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			p = (int16) pq_getmsgint(buf, 2);
	MomentsValue *v;

	if (version != MOMENTS_VALUE_VERSION && version != MOMENTS_VALUE_VERSION_SUMMARY)
		invalid_value(true, "Unsupported format version.");
	if (p < 1 || p > MOMENTS_MAX_DIM)
		invalid_value(true, "The number of variables must be between 1 and 64.");
	if (version == MOMENTS_VALUE_VERSION_SUMMARY && p > MOMENTS_SUMMARY_MAX_DIM)
		invalid_value(true, "Only values of at most 16 variables carry a cluster summary.");
	{
		Size		size = version == MOMENTS_VALUE_VERSION ? MomentsValueSize(p) : MomentsValueSummarySize(p);

		v = palloc0(size);
		SET_VARSIZE(v, size);
	}
	v->version = version;
	v->flags = version == MOMENTS_VALUE_VERSION ? 0 : MOMENTS_FLAG_SUMMARY;
	v->p = (int16) p;
	v->n = pq_getmsgint64(buf);
	v->skipped = pq_getmsgint64(buf);
	v->members = pq_getmsgint64(buf);
	for (int i = 0; i < p + MOMENTS_TRI_SIZE(p); i++)
		v->data[i] = pq_getmsgfloat8(buf);
	if (version == MOMENTS_VALUE_VERSION_SUMMARY)
	{
		double	   *sum = v->data + p + MOMENTS_TRI_SIZE(p);
		int64		g = pq_getmsgint64(buf);

		if (g < 0 || g > v->n || g > MOMENTS_MAX_CLUSTERS)
			invalid_value(true, "The number of clusters must be an integer between 1 and min(n, 2^53).");
		sum[0] = (double) g;
		for (int i = 1; i <= MOMENTS_TRI_SIZE(SUMMARY_R(p)); i++)
			sum[i] = pq_getmsgfloat8(buf);
	}
	pq_getmsgend(buf);
	validate_value(v, true);
	PG_RETURN_POINTER(v);
}

/* --- aggregates ---------------------------------------------------------------------- */

/* exlink.moments(values float8[] [, member text [, k int]]) */
PG_FUNCTION_INFO_V1(exlink_moments_transfn);
Datum
exlink_moments_transfn(PG_FUNCTION_ARGS)
{
	Moments    *m;
	double		x[MOMENTS_MAX_DIM];
	int			p = 0;
	bool		ok = false;
	bool		created = PG_ARGISNULL(0);

	if (!PG_ARGISNULL(1))
		ok = ExlinkArrayRow(PG_GETARG_ARRAYTYPE_P(1), MOMENTS_MAX_DIM, &p, x);
	m = MomentsTransState(fcinfo, p, created && ExlinkAggGuarded(fcinfo, 2));
	/*
	 * The per-member table (and so the summary) only when exlink.cluster_summary allows it:
	 * otherwise members are counted as in 0.1.0 and the value says that clustered inference is
	 * unavailable.
	 */
	if (created && m->track_members)
	{
		if (ExlinkClusterSummary())
			MomentsUseClusters(m);
		else
			m->cluster = CLUSTER_MISSING;
	}
	if (PG_NARGS() >= 4)
		m->k = Max(m->k, ExlinkKArg(fcinfo, 3));
	/*
	 * With a member, rows go to the per-member table so that the value carries its cluster
	 * summary; past MOMENTS_SUMMARY_MAX_DIM variables there is no summary to make, and the
	 * member set counts as in 0.1.0.
	 */
	if (ok && m->cluster == CLUSTER_ROWS && m->clusters == NULL && m->p > MOMENTS_SUMMARY_MAX_DIM)
		m->cluster = CLUSTER_MISSING;
	if (ok && m->cluster == CLUSTER_ROWS)
	{
		if (!MomentsClusterRow(m, fcinfo, 2, x))
			m->skipped++;
		PG_RETURN_POINTER(m);
	}
	if (m->track_members && ok)
		ok = ExlinkMemberRow(fcinfo, 2, &m->members, m->cxt);
	if (!ok)
	{
		m->skipped++;
		PG_RETURN_POINTER(m);
	}
	MomentsAccumulate(m, x);
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(exlink_moments_finalfn);
Datum
exlink_moments_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = ExlinkFinalState(fcinfo, "exlink_moments_finalfn");
	MomentsValue *v;

	if (m == NULL || m->p == 0)
		PG_RETURN_NULL();
	m = MomentsResolve(m);
	/*
	 * Guarded form: a value below k is never released, not even its n.  The k argument is
	 * read from the state: a FINALFUNC_EXTRA argument is always NULL here.
	 */
	if (m->track_members)
	{
		ReleaseFacts facts;

		MomentsReleaseFacts(m, &facts);
		if (!ReleaseAllowed(&facts))
			PG_RETURN_NULL();
	}
	/*
	 * Values near the float8 limits (or merged extreme values) can overflow the running means
	 * or co-moments: no value then (MomentsToValue gives NULL), as guarded_avg gives no mean.
	 */
	v = MomentsToValue(m);
	if (v == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(v);
}

/* exlink.merge(exlink.moments): the union of cells. */
PG_FUNCTION_INFO_V1(exlink_merge_transfn);
Datum
exlink_merge_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ExlinkAggContext(fcinfo, "exlink_merge_transfn");
	Moments    *m = PG_ARGISNULL(0) ? NULL : (Moments *) PG_GETARG_POINTER(0);
	MomentsValue *v;

	if (m == NULL)
	{
		m = MomentsCreate(aggcxt, 0, false, 1);
		m->cluster = CLUSTER_EMPTY;
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(m);
	v = PG_GETARG_MOMENTS(1);
	/* The incoming value is short-lived: unpack it in the per-row context, then merge. */
	MomentsMergeValue(m, v);
	PG_RETURN_POINTER(m);
}

/* Accessors of a value, for analysts working from published cells. */
PG_FUNCTION_INFO_V1(exlink_moments_n);
Datum
exlink_moments_n(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_MOMENTS(0)->n);
}

PG_FUNCTION_INFO_V1(exlink_moments_members);
Datum
exlink_moments_members(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);

	if (v->members < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(v->members);
}

PG_FUNCTION_INFO_V1(exlink_moments_means);
Datum
exlink_moments_means(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);
	Datum	   *d = palloc(sizeof(Datum) * v->p);

	if (v->n == 0)
		PG_RETURN_NULL();
	for (int i = 0; i < v->p; i++)
		d[i] = Float8GetDatum(v->data[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, v->p, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * exlink.subset(m, idx int[]): the moments of chosen variables (1-based, in the given order),
 * so an analyst can take any outcome and drivers out of a published cell.  Exact: means and
 * co-moments are copied, n, skipped and members kept.
 */
PG_FUNCTION_INFO_V1(exlink_moments_subset);
Datum
exlink_moments_subset(PG_FUNCTION_ARGS)
{
	MomentsValue *v = PG_GETARG_MOMENTS(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int			q;
	int32	   *idx;
	bool		seen[MOMENTS_MAX_DIM] = {false};
	MomentsValue *out;
	double	   *c;

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variable indexes must be a one-dimensional array without NULLs")));
	q = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (q < 1 || q > v->p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("between 1 and %d variable indexes expected, got %d", v->p, q)));
	idx = (int32 *) ARR_DATA_PTR(arr);
	for (int a = 0; a < q; a++)
	{
		if (idx[a] < 1 || idx[a] > v->p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("variable index %d is out of range 1..%d", idx[a], v->p)));
		if (seen[idx[a] - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("variable index %d is repeated", idx[a])));
		seen[idx[a] - 1] = true;
	}

	{
		Size		size = MomentsValueHasSummary(v) ? MomentsValueSummarySize(q) : MomentsValueSize(q);

		out = palloc0(size);
		SET_VARSIZE(out, size);
	}
	out->version = v->version;
	out->flags = v->flags;
	if (MomentsValueHasSummary(v))
	{
		/* The summary of the chosen variables: the rows and columns of their n, L and Q. */
		int			r = SUMMARY_R(q);
		int			rv = SUMMARY_R(v->p);
		int		   *sel = palloc(sizeof(int) * r);
		const double *in = v->data + v->p + MOMENTS_TRI_SIZE(v->p);
		double	   *o = out->data + q + MOMENTS_TRI_SIZE(q);
		int			k = 1;

		sel[0] = 0;
		for (int a = 0; a < q; a++)
			sel[1 + a] = 1 + (idx[a] - 1);
		for (int a = 0; a < q; a++)
			for (int b = a; b < q; b++)
				sel[SUMMARY_Q(q, a, b)] = SUMMARY_Q(v->p, idx[a] - 1, idx[b] - 1);
		o[0] = in[0];
		for (int a = 0; a < r; a++)
			for (int b = a; b < r; b++)
			{
				int			i = Min(sel[a], sel[b]),
							j = Max(sel[a], sel[b]);

				o[k++] = in[1 + MOMENTS_TRI(rv, i, j)];
			}
		pfree(sel);
	}
	out->p = (int16) q;
	out->n = v->n;
	out->skipped = v->skipped;
	out->members = v->members;
	c = out->data + q;
	for (int a = 0; a < q; a++)
	{
		int			i = idx[a] - 1;

		out->data[a] = v->data[i];
		for (int b = a; b < q; b++)
		{
			int			j = idx[b] - 1;

			c[MOMENTS_TRI(q, a, b)] = v->data[v->p + MOMENTS_TRI(v->p, Min(i, j), Max(i, j))];
		}
	}
	PG_RETURN_POINTER(out);
}
