/* exlink.c: module magic, _PG_init, the exlink.min_group_size setting and exlink.version(). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <limits.h>

#include <gsl/gsl_errno.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "clusters.h"
#include "compat.h"
#include "exlink.h"
#include "explain_guard.h"
#include "members.h"
#include "refresh_guard.h"

PG_MODULE_MAGIC;


static int	min_group_size = EXLINK_DEFAULT_GROUP_SIZE;
static double max_member_share = EXLINK_DEFAULT_MAX_MEMBER_SHARE;
static bool guc_defined = false;
static int	max_cluster_members = 200000;
static bool cluster_summary = false;
static bool allow_unsafe_refresh = false;

void		_PG_init(void);

void
_PG_init(void)
{
	/*
	 * GSL's default error handler calls abort(), which would take the whole server down; every
	 * GSL call in exlink checks its status instead.
	 */
	gsl_set_error_handler_off();

	/*
	 * PGC_SUSET: only superusers may change k.  A placeholder set by a non-superuser before the
	 * library loaded is discarded by PostgreSQL when the variable is defined here; reserving the
	 * prefix stops new placeholders being made afterwards.
	 */
	DefineCustomIntVariable("exlink.min_group_size",
							"Fewest distinct members (employees) a released exlink figure may cover.",
							"Figures over fewer distinct members are suppressed (NULL with suppressed = true). "
							"Only superusers can change it; publications keep the value they were made with.",
							&min_group_size,
							EXLINK_DEFAULT_GROUP_SIZE,
							EXLINK_MIN_GROUP_SIZE,
							EXLINK_MAX_GROUP_SIZE,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	/*
	 * A resource limit, but PGC_SUSET: its error is raised by the number of members in a group,
	 * so a role that could set it could binary-search the member count of a suppressed group of
	 * a live publication.  Each member costs 8 * (3 + p + p(p+1)/2) bytes plus an index entry
	 * (members.h).
	 */
	DefineCustomIntVariable("exlink.max_cluster_members",
							"Most distinct members one group of a clustered exlink aggregate may hold.",
							"Cluster-robust inference keeps the moments of each member in memory; past this many "
							"members in one group the aggregate stops with an error.",
							&max_cluster_members,
							200000,
							1,
							INT_MAX / 2,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	/*
	 * Dominance: k counts members, not how much each contributes; a cell of 5 members in which
	 * one handled 95 % of the responses is that member's figure.  PGC_SUSET for the same reason
	 * as k; publications bake their value in (the stricter of the two applies at refresh).
	 */
	DefineCustomRealVariable("exlink.max_member_share",
							 "Largest share of a group's rows (responses) one member may hold for the group's figures to be released.",
							 "Groups in which one member accounts for more are suppressed like groups below k. "
							 "1 disables the rule. Only superusers can change it; publications keep the value they were made with.",
							 &max_member_share,
							 EXLINK_DEFAULT_MAX_MEMBER_SHARE,
							 EXLINK_MIN_MAX_MEMBER_SHARE,
							 1.0,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	/*
	 * PGC_SUSET and off by default: the cluster summary holds fourth-order sums of each member's
	 * data, from which the rows of a cell's members can be solved for (docs/security.md), so
	 * only a superuser may make sealed values carry it, knowingly.
	 */
	DefineCustomBoolVariable("exlink.cluster_summary",
							 "Whether exlink.moments values made with a member carry the cluster summary.",
							 "The summary makes clustered inference exact after merging cells, but it discloses "
							 "individual members' data; off, merged values give clustered inference as unavailable.",
							 &cluster_summary,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	/*
	 * PGC_SUSET and off: a refresh of a snapshot publication (one without a period) releases the
	 * same cells over other rows, and sequences of such releases can be subtracted to isolate
	 * one employee whatever the change ledger checks (docs/security.md); only a superuser may
	 * accept that, knowingly.
	 */
	DefineCustomBoolVariable("exlink.allow_unsafe_refresh",
							 "Whether exlink.refresh may refresh a publication without a period (the 0.2.0 change-ledger refresh).",
							 "Off: such a refresh is refused; publish with a period instead. On: it is done with the "
							 "change ledger, which does not protect against sequences of releases.",
							 &allow_unsafe_refresh,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("exlink");
	guc_defined = true;

	ExlinkExplainGuardInit();
	ExlinkRefreshGuardInit();
}

/* The exlink.cluster_summary setting: may sealed values carry the cluster summary? */
bool
ExlinkClusterSummary(void)
{
	return cluster_summary;
}

int
ExlinkMinGroupSize(void)
{
	if (!guc_defined)
		elog(ERROR, "exlink.min_group_size read before the library was initialized");
	/* Defence in depth: never below the floor, whatever the variable holds. */
	return Max(min_group_size, EXLINK_MIN_GROUP_SIZE);
}

int
ExlinkMaxClusterMembers(void)
{
	return max_cluster_members;
}

double
ExlinkMaxMemberShare(void)
{
	if (!guc_defined)
		elog(ERROR, "exlink.max_member_share read before the library was initialized");
	return Min(Max(max_member_share, EXLINK_MIN_MAX_MEMBER_SHARE), 1.0);
}

PG_FUNCTION_INFO_V1(exlink_max_member_share);
Datum
exlink_max_member_share(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(ExlinkMaxMemberShare());
}

/* The exlink.allow_unsafe_refresh setting as the library reads it (never a placeholder). */
PG_FUNCTION_INFO_V1(exlink_allow_unsafe_refresh);
Datum
exlink_allow_unsafe_refresh(PG_FUNCTION_ARGS)
{
	if (!guc_defined)
		elog(ERROR, "exlink.allow_unsafe_refresh read before the library was initialized");
	PG_RETURN_BOOL(allow_unsafe_refresh);
}

PG_FUNCTION_INFO_V1(exlink_version);
Datum
exlink_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(EXLINK_VERSION));
}

PG_FUNCTION_INFO_V1(exlink_min_group_size);
Datum
exlink_min_group_size(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ExlinkMinGroupSize());
}
