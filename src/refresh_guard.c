/* refresh_guard.c: a plain REFRESH MATERIALIZED VIEW of a publication goes through exlink.refresh. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/genam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "refresh_guard.h"

/*
 * A materialized publication (exlink 0.2.0) is a materialized view over exlink.released_cells:
 * refreshing it re-reads what the guard released and can release nothing new.  But a schedule
 * written for exlink 0.1.0 (`REFRESH MATERIALIZED VIEW CONCURRENTLY published.x` in pg_cron)
 * would then silently stop updating, and a publication made by 0.1.0 still computes its cells
 * itself until its first exlink.refresh.  So a REFRESH (with data) of a registered materialized
 * publication runs `SELECT exlink.refresh(publication)` instead: the same guard, whichever way
 * the refresh is asked for.  exlink.refresh's own REFRESH (exlink.refresh_released) passes.
 */

static ProcessUtility_hook_type prev_utility_hook = NULL;
static bool in_guarded_refresh = false;

/* Whether relid is a registered materialized publication of this database's exlink. */
static bool
registered_publication(Oid relid)
{
	Oid			nsp = get_namespace_oid("exlink", true);
	Oid			regid;
	AttrNumber	object_att,
				kind_att;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	if (!OidIsValid(nsp))
		return false;
	regid = get_relname_relid("publications", nsp);
	if (!OidIsValid(regid))
		return false;
	object_att = get_attnum(regid, "object");
	kind_att = get_attnum(regid, "kind");
	if (object_att == InvalidAttrNumber || kind_att == InvalidAttrNumber)
		return false;
	/* Read as the system: the registry is the custodian's. */
	rel = table_open(regid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		object = heap_getattr(tup, object_att, RelationGetDescr(rel), &isnull);
		Datum		kind;

		if (isnull || DatumGetObjectId(object) != relid)
			continue;
		kind = heap_getattr(tup, kind_att, RelationGetDescr(rel), &isnull);
		found = !isnull && strcmp(TextDatumGetCString(kind), "materialized") == 0;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* Runs `SELECT exlink.refresh(relid)` in place of the REFRESH statement. */
static void
route_to_refresh(Oid relid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args("SELECT exlink.refresh($1)", 1, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "exlink.refresh failed: SPI result %d", ret);
	SPI_finish();
}

static void
exlink_refresh_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					   ProcessUtilityContext context, ParamListInfo params,
					   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;

	if (!in_guarded_refresh && stmt && IsA(stmt, RefreshMatViewStmt) &&
		!((RefreshMatViewStmt *) stmt)->skipData)
	{
		RefreshMatViewStmt *refresh = (RefreshMatViewStmt *) stmt;
		Oid			relid = RangeVarGetRelid(refresh->relation, NoLock, true);

		/* Only for its owner: anyone else gets REFRESH's own refusal. */
		if (OidIsValid(relid) && pg_class_ownercheck(relid, GetUserId()) &&
			registered_publication(relid))
		{
			route_to_refresh(relid);
			if (qc)
				SetQueryCompletion(qc, CMDTAG_REFRESH_MATERIALIZED_VIEW, 0);
			return;
		}
	}
	if (prev_utility_hook)
		prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

/*
 * exlink.refresh_released(publication regclass): REFRESH MATERIALIZED VIEW of a publication
 * (CONCURRENTLY when it is populated, so readers are never blocked) past the routing above.
 * The view reads only exlink.released_cells; REFRESH checks ownership as usual.
 */
PG_FUNCTION_INFO_V1(exlink_refresh_released);
Datum
exlink_refresh_released(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	HeapTuple	tup;
	bool		populated;
	char	   *name;
	int			ret;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	populated = ((Form_pg_class) GETSTRUCT(tup))->relispopulated;
	ReleaseSysCache(tup);
	name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	in_guarded_refresh = true;
	PG_TRY();
	{
		ret = SPI_execute(psprintf("REFRESH MATERIALIZED VIEW %s%s", populated ? "CONCURRENTLY " : "", name),
						  false, 0);
		if (ret != SPI_OK_UTILITY)
			elog(ERROR, "REFRESH MATERIALIZED VIEW failed: SPI result %d", ret);
	}
	PG_FINALLY();
	{
		in_guarded_refresh = false;
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_VOID();
}

void
ExlinkRefreshGuardInit(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = exlink_refresh_utility;
}
