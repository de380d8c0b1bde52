/* explain_guard.c: no plan or row count of a live publication's source reaches a role that cannot read the source. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "access/genam.h"
#include "access/parallel.h"
#include "access/xact.h"
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
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/plancache.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
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
 *
 * EXPLAIN is not the only way a plan reaches the client.  debug_print_parse,
 * debug_print_rewritten and debug_print_plan print the query trees and the plan (with the
 * planner's row estimates drawn from the source's statistics) as LOG messages, and
 * client_min_messages = log (or a debug level) sends every LOG message to the client: those of
 * trace_sort (tuple counts of every sort, one per group for a DISTINCT aggregate), of
 * auto_explain, of log_planner_stats and the like.  So for a role that cannot read the source of
 * a live publication, a query that reads it is refused while any of these channels is open,
 * checked where each output is made: after parse analysis (views expanded here, since the parse
 * and rewritten trees are printed before planning), after planning (prepared statements are
 * replanned without a new parse; inlined SQL functions appear only here) and at executor start
 * (a plan made before the setting changed).  A setting changed while such a query runs (by a
 * function it calls) cannot reopen the channel: until the query ends, every message below ERROR
 * that reaches emit_log_hook is kept from the client (it still reaches the server log).  Not
 * only LOG and DEBUG: auto_explain.log_level (which a superuser may set per role) can be INFO,
 * NOTICE or WARNING, which reach the client whatever client_min_messages says; such a setting is
 * a channel too (refused before the query runs, since a message below log_min_messages never
 * reaches emit_log_hook), and what does reach the hook at those levels during such a query is
 * kept from the client.
 */

static ExplainOneQuery_hook_type prev_explain_hook = NULL;
static ProcessUtility_hook_type prev_utility_hook = NULL;
static ExecutorStart_hook_type prev_executor_start_hook = NULL;
static ExecutorEnd_hook_type prev_executor_end_hook = NULL;
static post_parse_analyze_hook_type prev_post_parse_analyze_hook = NULL;
static planner_hook_type prev_planner_hook = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

/*
 * The executions (QueryDesc pointers, compared only, never dereferenced) of plans that read a
 * live source the role cannot read, started and not yet ended in this transaction; kept in
 * TopMemoryContext and forgotten at transaction end (an aborted execution never reaches
 * ExecutorEnd).
 */
static List *guarded_runs = NIL;
static bool xact_callback_registered = false;

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

/*
 * What a walk looks for: the live sources, whether to expand views (a query tree straight from
 * parse analysis still holds views unexpanded), and how deep the view expansion is.
 */
typedef struct LiveWalk
{
	LiveSources *live;
	bool		expand_views;
	List	   *expanded;		/* views already expanded (a view's own rule names it twice) */
} LiveWalk;

/* True when the range table entry is a live source the current role cannot read itself. */
static bool
unreadable_live_source(LiveSources *live, Oid relid)
{
	for (int i = 0; i < live->n; i++)
		if (live->sources[i] == relid &&
			pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			return true;
	return false;
}

/* True when the tree reads the source of a live publication the current role cannot read. */
static bool
live_walker(Node *node, void *context)
{
	LiveWalk   *walk = (LiveWalk *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind != RTE_RELATION)
			return false;
		if (unreadable_live_source(walk->live, rte->relid))
			return true;
		if (walk->expand_views && rte->relkind == RELKIND_VIEW &&
			!list_member_oid(walk->expanded, rte->relid))
		{
			Relation	view = table_open(rte->relid, AccessShareLock);
			Query	   *body = get_view_query(view);
			bool		found;

			walk->expanded = lappend_oid(walk->expanded, rte->relid);
			found = query_tree_walker(body, live_walker, context, QTW_EXAMINE_RTES_BEFORE);
			table_close(view, AccessShareLock);
			return found;
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, live_walker, context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, live_walker, context);
}

static bool
reads_live_source(Node *node, LiveSources *live, bool expand_views)
{
	LiveWalk	walk = {live, expand_views, NIL};
	bool		found = live_walker(node, &walk);

	list_free(walk.expanded);
	return found;
}

static void
refuse_explain(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("EXPLAIN is not allowed on a live exlink publication"),
			 errdetail("The plan of a live publication shows statistics and row counts of the raw source, suppressed groups included."),
			 errhint("Query the publication without EXPLAIN, or ask the custodian for a materialized publication.")));
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
		if (reads_live_source((Node *) lfirst(lc), &live, false))
			refuse_explain();
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
		if (reads_live_source((Node *) lfirst(lc), &live, false))
			refuse_explain();
}

/*
 * Whether auto_explain (loaded by a superuser, possibly set per role) would send plans to the
 * client: enabled (log_min_duration >= 0) at INFO, NOTICE or WARNING.  Those levels reach the
 * client whatever client_min_messages says (INFO), or at its default (NOTICE, WARNING), and
 * below log_min_messages they never pass emit_log_hook, where exlink could keep them from the
 * client: so the query is refused before it runs.  LOG and DEBUG levels are the
 * client_min_messages channel.
 */
static bool
auto_explain_to_client(void)
{
	const char *duration = GetConfigOption("auto_explain.log_min_duration", true, false);
	const char *level;

	if (duration == NULL || atoi(duration) < 0)
		return false;
	level = GetConfigOption("auto_explain.log_level", true, false);
	return level == NULL || pg_strcasecmp(level, "info") == 0 ||
		pg_strcasecmp(level, "notice") == 0 || pg_strcasecmp(level, "warning") == 0;
}

/* The open channel through which plan output would be printed, or NULL. */
static const char *
plan_output_channel(void)
{
	if (Debug_print_parse)
		return "debug_print_parse";
	if (Debug_print_rewritten)
		return "debug_print_rewritten";
	if (Debug_print_plan)
		return "debug_print_plan";
	/* DEBUG5..DEBUG1 sort below LOG: each of them sends LOG messages to the client too. */
	if (client_min_messages <= LOG)
		return "client_min_messages";
	if (auto_explain_to_client())
		return "auto_explain.log_level";
	return NULL;
}

static void
refuse_plan_output(const char *channel)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s is not allowed while reading a live exlink publication", channel),
			 errdetail("Query trees, plans and the server's log messages (trace_sort, auto_explain, log_planner_stats) about a live publication show row counts and statistics of the raw source, suppressed groups included."),
			 strcmp(channel, "client_min_messages") == 0
			 ? errhint("Set client_min_messages to notice or higher, or ask the custodian for a materialized publication.")
			 : strcmp(channel, "auto_explain.log_level") == 0
			 ? errhint("A superuser can set auto_explain.log_level to log for this role, or ask the custodian for a materialized publication.")
			 : errhint("Set %s to off, or ask the custodian for a materialized publication.", channel)));
}

/* Refuses when a plan-output channel is open and the tree reads a live source the role cannot read. */
static void
check_plan_output(Node *tree, bool expand_views)
{
	const char *channel = plan_output_channel();
	LiveSources live;

	if (channel == NULL || superuser())
		return;
	live = live_sources();
	if (live.n > 0 && reads_live_source(tree, &live, expand_views))
		refuse_plan_output(channel);
}

/* Whether any relation of a plan was reached through a view (a live publication always is). */
static bool
plan_reads_view(PlannedStmt *plan)
{
	ListCell   *lc;

	foreach(lc, plan->rtable)
	{
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW)
			return true;
	}
	return false;
}

/* Whether a plan reads a live source the current role cannot read (superusers: never). */
static bool
plan_reads_live_source(PlannedStmt *plan)
{
	LiveSources live;
	ListCell   *lc;

	if (plan == NULL || !plan_reads_view(plan) || superuser())
		return false;
	live = live_sources();
	if (live.n == 0)
		return false;
	foreach(lc, plan->rtable)
		if (reads_live_source((Node *) lfirst(lc), &live, false))
			return true;
	return false;
}

static void
exlink_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze_hook)
		prev_post_parse_analyze_hook(pstate, query, jstate);
	/* Before pg_rewrite_query prints the parse and rewritten trees: views are still unexpanded. */
	check_plan_output((Node *) query, true);
}

static PlannedStmt *
exlink_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	PlannedStmt *result;

	if (prev_planner_hook)
		result = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		result = standard_planner(parse, query_string, cursorOptions, boundParams);
	/* pg_plan_query prints the plan after this returns: refuse first. */
	if (plan_output_channel() != NULL && plan_reads_live_source(result))
		refuse_plan_output(plan_output_channel());
	return result;
}

static void
exlink_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		list_free(guarded_runs);
		guarded_runs = NIL;
	}
}

static void
exlink_emit_log(ErrorData *edata)
{
	if (guarded_runs != NIL && edata->elevel < ERROR)
		edata->output_to_client = false;
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

static void
exlink_executor_end(QueryDesc *queryDesc)
{
	/* Shutting the plan down logs too (trace_sort's "internal sort ended"): forget it after. */
	if (prev_executor_end_hook)
		prev_executor_end_hook(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	guarded_runs = list_delete_ptr(guarded_runs, queryDesc);
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
	if (!IsParallelWorker() && (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 &&
		plan_reads_live_source(queryDesc->plannedstmt))
	{
		const char *channel = plan_output_channel();
		MemoryContext old;

		if (channel != NULL)
			refuse_plan_output(channel);
		old = MemoryContextSwitchTo(TopMemoryContext);
		guarded_runs = lappend(guarded_runs, queryDesc);
		MemoryContextSwitchTo(old);
	}
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
	prev_executor_end_hook = ExecutorEnd_hook;
	ExecutorEnd_hook = exlink_executor_end;
	prev_post_parse_analyze_hook = post_parse_analyze_hook;
	post_parse_analyze_hook = exlink_post_parse_analyze;
	prev_planner_hook = planner_hook;
	planner_hook = exlink_planner;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = exlink_emit_log;
	if (!xact_callback_registered)
	{
		RegisterXactCallback(exlink_xact_callback, NULL);
		xact_callback_registered = true;
	}
}
