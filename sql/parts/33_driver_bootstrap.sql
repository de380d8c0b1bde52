-- Bootstrap intervals of the importance shares (issue 18): driver_weights with a number of draws
-- and a seed resamples the members (src/driver_bootstrap.c) and gives each driver percentile
-- intervals of its relative-weight and LMG shares (exlink.driver's relative_weight_share_low ..
-- lmg_share_high).  Opt-in: 999 draws cost about a second at 20,000 members (bench case 39).

CREATE FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[], integer, bigint) RETURNS internal
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_named_transfn';
COMMENT ON FUNCTION @extschema@.driver_weights_transfn(internal, float8, float8[], text, text[], text, text[], integer, bigint) IS
    'Aggregate support: add a row and its member to a state carrying driver names and the inference asked for and the groups, draws and seed of the call (constants, read once).';
-- STABLE: reads exlink.min_group_size.
CREATE FUNCTION @extschema@.driver_weights_bootstrap_finalfn(internal) RETURNS @extschema@.driver_model
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'exlink_driver_weights_bootstrap_finalfn';
COMMENT ON FUNCTION @extschema@.driver_weights_bootstrap_finalfn(internal) IS
    'Aggregate support: fit the key-driver model of a moments state with the groups, bootstrap draws and seed it carries (those of the aggregate call), and the bootstrap intervals of the shares.';

CREATE AGGREGATE @extschema@.driver_weights(outcome float8, drivers float8[], member text, names text[], inference text, groups text[],
                                            bootstrap integer, seed bigint) (
    SFUNC = @extschema@.driver_weights_transfn, STYPE = internal,
    FINALFUNC = @extschema@.driver_weights_bootstrap_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.moments_combinefn,
    SERIALFUNC = @extschema@.moments_serialfn, DESERIALFUNC = @extschema@.moments_deserialfn,
    -- SAFE: the transition function puts groups, draws and seed (constants) in the state, which
    -- carries them to a parallel plan's finalize step; members are drawn in hash order, so a
    -- parallel plan gives the serial intervals.
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.driver_weights(float8, float8[], text, text[], text, text[], integer, bigint) IS
    'Guarded key-driver analysis with cluster-bootstrap intervals of the importance shares: bootstrap (a constant: draws, 0 or NULL for none) resamples of the members with replacement, seeded by seed (a constant; NULL: 20261207), percentile intervals at the 95% level of each driver''s relative-weight and LMG shares; groups as in the six-argument form (NULL: none).';
