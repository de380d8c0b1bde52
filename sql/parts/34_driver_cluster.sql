-- Clustering by a coarser unit than the member (issue 18): driver_weights with a cluster
-- argument (e.g. the team; after groups, so that no call of the six-argument groups form,
-- whose groups may be an untyped literal such as '{a,b}', resolves to it) clusters the
-- variance by it (CR2 with Satterthwaite df, or CR1 with G = the number of clusters; src/clusters.c regroups the members' moments per cluster), while
-- the guard (k, dominance) still counts members.  Members must be nested in the clusters, except
-- with inference => 'twoway' (two-way clustering by member and cluster, Cameron-Gelbach-Miller:
-- rows kept per member-x-cluster cell; cluster_variance.c).

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_cluster_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[], text) IS
    'Aggregate support: add a row, its member and the member''s cluster (a coarser unit) to a state carrying driver names, the inference asked for and the groups of the call.';

CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text, groups text[], cluster text) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_grouped_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    -- SAFE: each member's cluster travels with its moments, groups (a constant) in the state.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text, text[], text) IS
    'Guarded key-driver analysis clustered by a coarser unit than the member: cluster (e.g. the team; members nested in clusters, a member in two is refused) clusters the standard errors (''cluster'': CR2 with Satterthwaite df, ''cr1'': CR1 on G - 1 df, G the number of clusters; ''twoway'': members need not be nested, two-way CR1 by member and cluster, Cameron-Gelbach-Miller, negative eigenvalues set to 0, on min(G) - 1 df); groups as in the six-argument form (NULL: none); the guard still counts members; rows with a NULL or empty cluster skipped and counted (a NULL literal: by member).';

-- linked_correlation with a cluster argument: the delete-one-cluster jackknife (the default) or
-- CR1 linearization summed per cluster; the guard still counts members.
CREATE FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_transfn';
COMMENT ON FUNCTION @extschema@.linked_correlation_transfn(internal, float8, float8, text, float8, text, text) IS
    'Aggregate support: add a (cx, ex) row, its member and the member''s cluster (a coarser unit) to a state, with a confidence level and the inference asked for.';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_linked_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.linked_correlation_finalfn(internal, float8, float8, text, float8, text, text) IS
    'Aggregate support: guarded Pearson correlation with the inference asked for, clustered by the cluster argument, from a state.';
CREATE AGGREGATE @extschema@.linked_correlation(cx float8, ex float8, member text, level float8, inference text, cluster text) (
    SFUNC = @extschema@.linked_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.linked_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    -- SAFE: each member's cluster travels with its moments.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.linked_correlation(float8, float8, text, float8, text, text) IS
    'Guarded Pearson correlation clustered by a coarser unit than the member: cluster (e.g. the team; members nested in clusters, a member in two is refused) gives the delete-one-cluster jackknife (''cluster'', on the mean CR2 Satterthwaite df of the slopes of cx on ex and of ex on cx) or CR1 linearization by cluster (''cr1'', on G - 1 df), or (''twoway'', members need not be nested) the two-way CR1 linearization by member and cluster on min(G) - 1 df; the guard still counts members; rows with a NULL or empty cluster skipped and counted.';

-- rank_correlation with a cluster argument: the delete-one-cluster jackknife of atanh(rho) on the
-- ranks of all rows (the default) or CR1 linearization summed per cluster, as linked_correlation.
CREATE FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_transfn';
COMMENT ON FUNCTION @extschema@.rank_correlation_transfn(internal, float8, float8, text, float8, text, text) IS
    'Aggregate support: add a (cx, ex) pair, its member and the member''s cluster (a coarser unit) to a rank state, with a confidence level and the inference asked for.';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text, text) RETURNS @extschema@.correlation
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_rank_correlation_finalfn';
COMMENT ON FUNCTION @extschema@.rank_correlation_finalfn(internal, float8, float8, text, float8, text, text) IS
    'Aggregate support: guarded Spearman correlation with the inference asked for, clustered by the cluster argument, from a rank state.';
CREATE AGGREGATE @extschema@.rank_correlation(cx float8, ex float8, member text, level float8, inference text, cluster text) (
    SFUNC = @extschema@.rank_correlation_transfn, STYPE = internal,
    FINALFUNC = @extschema@.rank_correlation_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = @extschema@.rank_correlation_combinefn,
    SERIALFUNC = @extschema@.rank_correlation_serialfn, DESERIALFUNC = @extschema@.rank_correlation_deserialfn,
    -- SAFE: each pair carries its member's cluster.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rank_correlation(float8, float8, text, float8, text, text) IS
    'Guarded Spearman correlation clustered by a coarser unit than the member: cluster (e.g. the team; members nested in clusters, a member in two is refused) gives the delete-one-cluster jackknife of atanh(rho) on the ranks of all rows (''cluster'', on the mean CR2 Satterthwaite df of the two slopes on the ranks) or CR1 linearization by cluster (''cr1'', on G - 1 df), or (''twoway'', members need not be nested) the two-way CR1 linearization by member and cluster on min(G) - 1 df; the guard still counts members; rows with a NULL or empty cluster skipped and counted.';

-- driver_weights over merged cells clustered by cell: each cell's n, means and co-moments are a
-- cluster's sums (or, cells with the same key merged, e.g. a team's months, the team's), so CR2
-- with Satterthwaite df or CR1 by cluster follow exactly from the released cells
-- (src/cell_clusters.c); the release decision is that of moments values (their member bound).
CREATE FUNCTION @extschema@.driver_weights_cells_transfn(internal, @extschema@.moments, text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_cells_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_cells_transfn(internal, @extschema@.moments, text) IS
    'Aggregate support: add a cell''s moments to the slot of its cluster (cells with the same key are merged).';
CREATE FUNCTION @extschema@.driver_weights_cells_transfn(internal, @extschema@.moments, text, text[], text) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_cells_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_cells_transfn(internal, @extschema@.moments, text, text[], text) IS
    'Aggregate support: add a cell''s moments to the slot of its cluster, with driver names and the inference asked for.';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.driver_weights_cells_finalfn(internal) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_cells_finalfn';
COMMENT ON FUNCTION @extschema@.driver_weights_cells_finalfn(internal) IS
    'Aggregate support: the key-driver model of the merged cells, clustered by cell, guarded by the cells'' member bound.';
CREATE AGGREGATE @extschema@.driver_weights_cells(cell @extschema@.moments, cluster text) (
    SFUNC = @extschema@.driver_weights_cells_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_cells_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    -- SAFE: a cluster's slot is keyed by the cluster and merged by key across workers.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights_cells(@extschema@.moments, text) IS
    'Key-driver model (variable 1 the outcome, as driver_weights(moments)) of the union of cells (exlink.moments values, e.g. a publication''s released cells), clustered by cell: cluster is each cell''s cluster key (the cell, or a coarser unit such as its team: cells with one key are merged), CR2 with Satterthwaite df from the cells'' moments exactly; suppressed below exlink.min_group_size by the cells'' member bound.';
CREATE AGGREGATE @extschema@.driver_weights_cells(cell @extschema@.moments, cluster text, names text[], inference text) (
    SFUNC = @extschema@.driver_weights_cells_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_cells_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights_cells(@extschema@.moments, text, text[], text) IS
    'Key-driver model of the union of cells clustered by cell (cluster: each cell''s key), with driver names and the inference asked for (''cluster'': CR2 with Satterthwaite df, ''cr1'': CR1 on G - 1 df, ''independent''), from the cells'' moments exactly.';
