/* aggkit.h: what every exlink aggregate's support functions use (arguments, context, state I/O). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef EXLINK_AGGKIT_H
#define EXLINK_AGGKIT_H

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

#include "members.h"

/*
 * The aggregate context (errors out when not called as an aggregate): every state and what it
 * holds is allocated there (a child context for states holding member hashes).
 */
extern MemoryContext ExlinkAggContext(FunctionCallInfo fcinfo, const char *fname);

/*
 * A transition or combine function's state argument 0: NULL on the group's first row (create the
 * state in *aggcxt then), else the state.  Errors out when not called as an aggregate.
 */
static inline void *
ExlinkAggState(FunctionCallInfo fcinfo, const char *fname, MemoryContext *aggcxt)
{
	if (!AggCheckCallContext(fcinfo, aggcxt))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
}

/*
 * The final function prologue: checks the aggregate context, returns the state or NULL for a
 * group that never created one (no rows).
 */
static inline void *
ExlinkFinalState(FunctionCallInfo fcinfo, const char *fname)
{
	(void) ExlinkAggContext(fcinfo, fname);
	return PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
}

/*
 * THE signal of the guarded (member) form of an aggregate: the overload takes a member argument,
 * `member text`, at a fixed position (argument 0 being the state).  The same overload counts
 * distinct members and releases nothing the release policy refuses (release_policy.h); the
 * other overloads of the same name are unguarded.  In SQL, audit_view takes every exlink
 * aggregate with a text argument for a k guard (test/sql/audit_guards.sql checks that it knows
 * them all).  In C, ExlinkAggGuarded(fcinfo, member_argno) reads the signal from the call's
 * argument types: in the transition function when it creates the state (which then records it,
 * e.g. Moments.track_members: later rows read the state), and in a FINALFUNC_EXTRA final function
 * (whose extra arguments sit where the transition function's do) for a group with no state.
 */
static inline bool
ExlinkAggGuarded(FunctionCallInfo fcinfo, int member_argno)
{
	return member_argno < PG_NARGS() &&
		get_fn_expr_argtype(fcinfo->flinfo, member_argno) == TEXTOID;
}

/*
 * State wire format (serial/deserial functions): a version byte, then pq_send* fields; never a
 * struct memcpy.  ExlinkStateSendBegin starts the bytea (finish with pq_endtypsend);
 * ExlinkStateRecvBegin points buf at a received bytea (no copy) and checks the version byte
 * (22P03 "unsupported exlink <what> state version"); finish with pq_getmsgend.
 */
extern void ExlinkStateSendBegin(StringInfo buf, uint8 version);
extern void ExlinkStateRecvBegin(bytea *b, StringInfo buf, uint8 version, const char *what);

/*
 * Row helpers: read a float8[] row into x, false when the row must be skipped (a NULL element,
 * NaN or +-Infinity); a member's key in a per-member table (its MemberKeyHash, members.h),
 * false when the member is NULL or empty (such rows are skipped); count a complete row's member
 * into a set (MemberHash only while the set is not yet full), false as for the key (and nothing
 * is counted); both at once (MemberHash), for states that keep the key per row.
 */
extern bool ExlinkArrayRow(ArrayType *arr, int max_dim, int *p_out, double *x);
extern bool ExlinkMemberKey(FunctionCallInfo fcinfo, int argno, uint64 *key);
extern bool ExlinkMemberRow(FunctionCallInfo fcinfo, int argno, MemberSet *set, MemoryContext cxt);
extern bool ExlinkMemberRowKey(FunctionCallInfo fcinfo, int argno, MemberSet *set, MemoryContext cxt, uint64 *key);

/*
 * k and level arguments.  ExlinkKArg: a k argument, validated (22023 outside 2..1000), 0 when
 * absent or NULL.  ExlinkEffectiveK: max(exlink.min_group_size, that k), for plain
 * (non-aggregate) functions.
 *
 * Trap: a final function declared FINALFUNC_EXTRA receives NULL for every aggregate argument,
 * so ExlinkEffectiveK(fcinfo, argno) in a final function silently ignores the k the caller
 * gave.  Aggregates read the argument in the transition function with ExlinkKArg, keep it in
 * the state (e.g. Moments.k, merged by max) and finalise through the release policy.
 * ExlinkLevelArg does the same for a confidence level (0 when absent, 22023 when NULL or outside
 * (0, 1)); ExlinkSetLevel stores it in a state (22023 when rows of one group disagree).
 */
extern int32 ExlinkKArg(FunctionCallInfo fcinfo, int argno);
extern int	ExlinkEffectiveK(FunctionCallInfo fcinfo, int argno);
extern double ExlinkLevelArg(FunctionCallInfo fcinfo, int argno);
extern void ExlinkSetLevel(double *dst, double level);

#endif
