/* aggkit.c: helpers every exlink aggregate uses: context, state wire format, argument reading. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "aggkit.h"
#include "exlink.h"
#include "release_policy.h"

MemoryContext
ExlinkAggContext(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcxt;
}

void
ExlinkStateSendBegin(StringInfo buf, uint8 version)
{
	pq_begintypsend(buf);
	pq_sendbyte(buf, version);
}

void
ExlinkStateRecvBegin(bytea *b, StringInfo buf, uint8 version, const char *what)
{
	buf->data = VARDATA_ANY(b);
	buf->len = VARSIZE_ANY_EXHDR(b);
	buf->maxlen = buf->len;
	buf->cursor = 0;
	if (pq_getmsgbyte(buf) != version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported exlink %s state version", what)));
}

/* --- arguments ---------------------------------------------------------------------- */

/*
 * Read a float8[] row into x (length p); false when the row must be skipped (NULL element,
 * NaN, +-Infinity).  Errors on multi-dimensional arrays and on fewer than 1 or more than max_dim
 * values (2202E, 54000).
 */
bool
ExlinkArrayRow(ArrayType *arr, int max_dim, int *p_out, double *x)
{
	int			nitems;
	const double *vals;

	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "expected a float8[] argument");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("values must be a one-dimensional array")));
	nitems = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (nitems < 1 || nitems > max_dim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("values must have between 1 and %d elements, got %d", max_dim, nitems)));
	*p_out = nitems;
	if (ARR_HASNULL(arr))
		return false;
	vals = (const double *) ARR_DATA_PTR(arr);
	for (int i = 0; i < nitems; i++)
	{
		if (!isfinite(vals[i]))
			return false;
		x[i] = vals[i];
	}
	return true;
}

/*
 * A member counts when it is neither NULL nor empty.  Call it only for an otherwise complete
 * row: it adds the member to the set (allocating in cxt) unless the set is already full.
 */
/* The member argument, or NULL when it is NULL or empty (such a row is skipped). */
static inline text *
member_arg(FunctionCallInfo fcinfo, int argno)
{
	text	   *t;

	if (PG_ARGISNULL(argno))
		return NULL;
	t = (text *) DatumGetPointer(PG_GETARG_DATUM(argno));
	/* pg_detoast_datum_packed's test inline: a plain value (any row's ID) costs no call. */
	if (VARATT_IS_COMPRESSED(t) || VARATT_IS_EXTERNAL(t))
		t = PG_GETARG_TEXT_PP(argno);
	return VARSIZE_ANY_EXHDR(t) > 0 ? t : NULL;
}

/*
 * The key of a member (or cluster) in a per-member table: MemberKeyHash (members.h: why not
 * MemberHash).  Every table's keys, and the clusters they are checked against, come from here.
 */
bool
ExlinkMemberKey(FunctionCallInfo fcinfo, int argno, uint64 *key)
{
	text	   *t = member_arg(fcinfo, argno);

	if (t == NULL)
		return false;
	*key = MemberKeyHash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	return true;
}

bool
ExlinkMemberRow(FunctionCallInfo fcinfo, int argno, MemberSet *set, MemoryContext cxt)
{
	text	   *t = member_arg(fcinfo, argno);

	if (t == NULL)
		return false;
	/* Every row, also once k is proven: the dominance bound needs all of them. */
	MemberSetAdd(set, cxt, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	return true;
}

bool
ExlinkMemberRowKey(FunctionCallInfo fcinfo, int argno, MemberSet *set, MemoryContext cxt, uint64 *key)
{
	text	   *t = member_arg(fcinfo, argno);

	if (t == NULL)
		return false;
	*key = MemberHash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	MemberSetAddHashed(set, cxt, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), *key);
	return true;
}

/* A k argument, validated; 0 when absent or NULL. */
int32
ExlinkKArg(FunctionCallInfo fcinfo, int argno)
{
	int32		kk;

	if (argno >= PG_NARGS() || PG_ARGISNULL(argno))
		return 0;
	kk = PG_GETARG_INT32(argno);
	if (kk < EXLINK_MIN_GROUP_SIZE || kk > EXLINK_MAX_GROUP_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between %d and %d", EXLINK_MIN_GROUP_SIZE, EXLINK_MAX_GROUP_SIZE)));
	return kk;
}

/* A confidence level argument, validated; 0 when absent, 22023 when NULL or outside (0, 1). */
double
ExlinkLevelArg(FunctionCallInfo fcinfo, int argno)
{
	double		level;

	if (argno >= PG_NARGS())
		return 0.0;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence level must not be null")));
	level = PG_GETARG_FLOAT8(argno);
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence level must be between 0 and 1 (exclusive)")));
	return level;
}

/*
 * The effective threshold for a plain (non-aggregate) function, or the cap of a member set that
 * must prove it: the release policy's max(k argument, exlink.min_group_size).  Not for final
 * functions (see moments.h).
 */
int
ExlinkEffectiveK(FunctionCallInfo fcinfo, int argno)
{
	return ReleaseThreshold(ExlinkKArg(fcinfo, argno));
}

/*
 * Keep the confidence level of a group: the first one given, and an error when rows (or
 * merged partial states) of one group ask for different levels.
 */
void
ExlinkSetLevel(double *dst, double level)
{
	if (*dst == 0.0)
		*dst = level;
	else if (*dst != level)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("all rows of a group must use the same confidence level")));
}
