/* explain_guard.c: refuse EXPLAIN over live publications to roles that cannot read the source. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/explain.h"
#include "commands/prepare.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/plancache.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "explain_guard.h"

/*
 * A live publication is a security_barrier view over the raw source: its cells are computed at
 * query time, so EXPLAIN would print estimates drawn from the source's statistics and EXPLAIN
 * ANALYZE the exact row counts of every node, suppressed groups included.  This hook sees each
 * query of an EXPLAIN after rewriting (views expanded) and refuses it when the query reads the
 * source of a live publication (exlink.publications, kind = 'live') while the current role has
 * no SELECT privilege on that source itself: only roles that could read the raw rows anyway may
 * see the plan.  EXPLAIN EXECUTE bypasses that hook, so a ProcessUtility hook checks the
 * prepared statement's queries first.  Neither sees what the planner adds (the body of an inlined
 * SQL function), so an ExecutorStart hook also checks the plan about to be explained.  Materialized publications are not affected (their plans only touch released
 * cells).  Superusers are never refused.
 */

static ExplainOneQuery_hook_type prev_explain_hook = NULL;
static ProcessUtility_hook_type prev_utility_hook = NULL;
static ExecutorStart_hook_type prev_executor_start_hook = NULL;

/*
 * Depth of EXPLAIN utility statements being run in this backend.  The query-tree check above
 * runs before planning, so it cannot see relations the planner brings in: the body of an
 * inlined SQL function (`SELECT * FROM f()` where f is a LANGUAGE sql set-returning function
 * that reads a live publication) is only expanded by the planner.  So while an EXPLAIN runs,
 * the executor-start hook checks the flattened range table of the plan about to be explained
 * (every relation of the final plan, inlined functions and views included).
 */
static int	explain_depth = 0;

typedef struct LiveSources
{
	int			n;
	Oid		   *sources;
} LiveSources;

/* The sources of live publications in this database (none when exlink is not installed). */
static LiveSources
live_sources(void)
{
	LiveSources result = {0, NULL};
	Oid			nsp = get_namespace_oid("exlink", true);
	Oid			relid;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	kind_att,
				source_att;
	int			cap = 8;

	if (!OidIsValid(nsp))
		return result;
	relid = get_relname_relid("publications", nsp);
	if (!OidIsValid(relid))
		return result;
	kind_att = get_attnum(relid, "kind");
	source_att = get_attnum(relid, "source");
	if (kind_att == InvalidAttrNumber || source_att == InvalidAttrNumber)
		return result;

	result.sources = palloc(sizeof(Oid) * cap);
	/* Read as the system, not as the caller: analysts cannot read the registry. */
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		kind = heap_getattr(tup, kind_att, RelationGetDescr(rel), &isnull);
		Datum		source;

		if (isnull || strcmp(TextDatumGetCString(kind), "live") != 0)
			continue;
		source = heap_getattr(tup, source_att, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		if (result.n == cap)
		{
			cap *= 2;
			result.sources = repalloc(result.sources, sizeof(Oid) * cap);
		}
		result.sources[result.n++] = DatumGetObjectId(source);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

static bool
refuse_walker(Node *node, void *context)
{
	LiveSources *live = (LiveSources *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
		{
			for (int i = 0; i < live->n; i++)
				if (live->sources[i] == rte->relid &&
					pg_class_aclcheck(rte->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("EXPLAIN is not allowed on a live exlink publication"),
							 errdetail("The plan of a live publication shows statistics and row counts of the raw source, suppressed groups included."),
							 errhint("Query the publication without EXPLAIN, or ask the custodian for a materialized publication.")));
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, refuse_walker, context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, refuse_walker, context);
}

/* Refuses when a plan's flattened range table holds a live publication's source the role cannot read. */
static void
check_plan(PlannedStmt *plan)
{
	LiveSources live;
	ListCell   *lc;

	if (plan == NULL || superuser())
		return;
	live = live_sources();
	if (live.n == 0)
		return;
	foreach(lc, plan->rtable)
		(void) refuse_walker((Node *) lfirst(lc), &live);
}

/* Refuses when any query in the list reads a live publication's source the role cannot read. */
static void
check_queries(List *queries)
{
	LiveSources live;
	ListCell   *lc;

	if (superuser())
		return;
	live = live_sources();
	if (live.n == 0)
		return;
	foreach(lc, queries)
		(void) refuse_walker((Node *) lfirst(lc), &live);
}

/*
 * EXPLAIN EXECUTE plans a prepared statement without going through ExplainOneQuery_hook, so the
 * statement's queries are checked here, before the utility command runs.
 */
static void
exlink_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					   ProcessUtilityContext context, ParamListInfo params,
					   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;

	if (stmt && IsA(stmt, ExplainStmt))
	{
		Node	   *inner = ((ExplainStmt *) stmt)->query;

		if (inner && IsA(inner, Query) && ((Query *) inner)->commandType == CMD_UTILITY)
			inner = ((Query *) inner)->utilityStmt;
		if (inner && IsA(inner, ExecuteStmt))
		{
			PreparedStatement *ps = FetchPreparedStatement(((ExecuteStmt *) inner)->name, false);

			if (ps && ps->plansource)
				check_queries(ps->plansource->query_list);
		}
	}

	if (stmt && IsA(stmt, ExplainStmt))
	{
		explain_depth++;
		PG_TRY();
		{
			if (prev_utility_hook)
				prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
			else
				standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		}
		PG_FINALLY();
		{
			explain_depth--;
		}
		PG_END_TRY();
		return;
	}
	if (prev_utility_hook)
		prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

/*
 * During an EXPLAIN, the plan being explained starts with EXEC_FLAG_EXPLAIN_ONLY (plain
 * EXPLAIN) or with instrumentation (EXPLAIN ANALYZE); queries run inside functions it calls have
 * neither and print no plan, so they are left alone.
 */
static void
exlink_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (explain_depth > 0 &&
		((eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0 || queryDesc->instrument_options != 0))
		check_plan(queryDesc->plannedstmt);
	if (prev_executor_start_hook)
		prev_executor_start_hook(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

static void
exlink_explain_one_query(Query *query, int cursorOptions, IntoClause *into, ExplainState *es,
						 const char *queryString, ParamListInfo params, QueryEnvironment *queryEnv)
{
	check_queries(list_make1(query));

	if (prev_explain_hook)
		prev_explain_hook(query, cursorOptions, into, es, queryString, params, queryEnv);
	else
	{
		/* standard_ExplainOneQuery is not exported in PostgreSQL 15: do what it does. */
		PlannedStmt *plan;
		instr_time	planstart,
					planduration;
		BufferUsage bufusage_start,
					bufusage;

		if (es->buffers)
			bufusage_start = pgBufferUsage;
		INSTR_TIME_SET_CURRENT(planstart);
		plan = pg_plan_query(query, queryString, cursorOptions, params);
		INSTR_TIME_SET_CURRENT(planduration);
		INSTR_TIME_SUBTRACT(planduration, planstart);
		if (es->buffers)
		{
			memset(&bufusage, 0, sizeof(BufferUsage));
			BufferUsageAccumDiff(&bufusage, &pgBufferUsage, &bufusage_start);
		}
		ExplainOnePlan(plan, into, es, queryString, params, queryEnv, &planduration,
					   (es->buffers ? &bufusage : NULL));
	}
}

void
ExlinkExplainGuardInit(void)
{
	prev_explain_hook = ExplainOneQuery_hook;
	ExplainOneQuery_hook = exlink_explain_one_query;
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = exlink_process_utility;
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = exlink_executor_start;
}
