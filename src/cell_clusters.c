/* cell_clusters.c: key-driver models over merged cells, clustered by cell (exlink.driver_weights_cells). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "common/int.h"

#include "fmgr.h"
#include "utils/array.h"

#include "aggkit.h"
#include "clusters.h"
#include "drivers.h"
#include "moments.h"

/*
 * exlink.driver_weights_cells(cell exlink.moments, cluster text [, names text[], inference text]):
 * the model of the union of the cells (variable 1 the outcome, as driver_weights(moments)),
 * clustered by cluster: every cell's n, means and co-moments are one slot of a per-cluster table
 * keyed by the cluster argument (cells with the same key, e.g. the months of a team, are merged
 * into one slot by Chan's update), so X_g'X_g and X_g'e_g of each cluster follow exactly from the
 * cells' moments and the merged slopes: CR2 with Satterthwaite df (the default) or CR1, as for
 * rows clustered by member (cluster_variance.c).  A merged value's cluster summary gives CR1 by
 * member only; this needs nothing from the cells but their released moments.
 *
 * The state is a Moments in CLUSTER_ROWS mode whose table holds clusters, not members (so the
 * moments states' combine, serialize and deserialize functions serve it); members_min is the
 * largest of the cells' member lower bounds, the bound of their union.  The release decision
 * is that of a moments value (ReleaseFactsOfValue: the members bound), which the final function
 * gets by marking the resolved table as of values.
 */
PG_FUNCTION_INFO_V1(exlink_driver_weights_cells_transfn);
Datum
exlink_driver_weights_cells_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Moments    *m = ExlinkAggState(fcinfo, "exlink_driver_weights_cells_transfn", &aggcxt);
	MomentsValue *v;
	uint64		key;
	int			p;
	double	   *slot;

	if (PG_ARGISNULL(1))
	{
		if (m == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(m);
	}
	v = PG_GETARG_MOMENTS(1);
	p = v->p;
	if (p < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("driver weights need moments of an outcome and at least one driver"),
				 errdetail("The value has %d variable.", p)));
	if (m == NULL)
	{
		m = MomentsCreate(aggcxt, p, false, 1);
		MomentsUseClusters(m);
	}
	else if (m->p != p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine exlink moments of %d and %d variables", m->p, p),
				 errhint("Every cell of one group must have the same number of variables.")));
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		DriversNamesArg(fcinfo, 3, m, p - 1);
	if (PG_NARGS() > 4)
		MomentsSetInference(m, ExlinkInferenceArg(fcinfo, 4));
	if (v->members < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clustering by cell needs cells with a member count"),
				 errdetail("A cell without members (made without a member argument, or by exlink 0.1.0) gives no release decision."),
				 errhint("Use the cells of a publication, or exlink.moments(values, member).")));
	if (v->n > (INT64CONST(1) << 53))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("a cell of more than 2^53 rows cannot be clustered by cell")));
	if (pg_add_s64_overflow(m->skipped, v->skipped, &m->skipped))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("skipped row count out of range")));
	if (v->n == 0)
		PG_RETURN_POINTER(m);
	if (!ExlinkMemberKey(fcinfo, 2, &key))
	{
		/* A cell without a cluster: its rows are skipped, as a row without a member. */
		if (pg_add_s64_overflow(m->skipped, v->n, &m->skipped))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("skipped row count out of range")));
		PG_RETURN_POINTER(m);
	}
	/* Only a cell whose rows enter the model counts towards its member bound. */
	m->members_min = Max(m->members_min, v->members);
	if (m->clusters == NULL)
		m->clusters = ClusterTableCreate(m->cxt, p);
	slot = palloc(sizeof(double) * m->clusters->stride);
	slot[0] = (double) v->n;
	memcpy(slot + 1, v->data, sizeof(double) * (p + MOMENTS_TRI_SIZE(p)));
	ClusterTableMergeSlot(m->clusters, key, slot);
	pfree(slot);
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(exlink_driver_weights_cells_finalfn);
Datum
exlink_driver_weights_cells_finalfn(PG_FUNCTION_ARGS)
{
	Moments    *m = ExlinkFinalState(fcinfo, "exlink_driver_weights_cells_finalfn");
	Moments    *r;
	ClusterTable *cells;

	if (m == NULL)
		PG_RETURN_NULL();
	r = MomentsResolve(m);
	/* A copy (the final function is READ_ONLY), marked: its slots are clusters of cells. */
	cells = ClusterTableCreate(CurrentMemoryContext, m->p);
	if (m->clusters != NULL)
		ClusterTableMerge(cells, m->clusters);
	cells->of_values = true;
	cells->by_outer = true;
	cells->member_count = m->members_min;
	r->clusters = cells;
	return DriversResult(fcinfo, r);
}
