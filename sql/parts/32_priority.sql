-- Driver prioritization under uncertainty: exlink.driver_priority ranks the drivers of a model
-- in seeded draws from the betas' sampling distribution (src/priority.c).

CREATE FUNCTION @extschema@.driver_priority(model @extschema@.driver_model, draws integer DEFAULT 10000,
                                            seed bigint DEFAULT 1, level float8 DEFAULT 0.95,
                                            signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_model';
COMMENT ON FUNCTION @extschema@.driver_priority(@extschema@.driver_model, integer, bigint, float8, boolean) IS
    'Per driver of a key-driver model: importance (|beta|, or beta when signed), its rank, the probability that it is the most important, its mean rank and an interval of its rank, from seeded draws of the betas (multivariate t with the model''s covariance and degrees of freedom); the same model and seed give the same figures.';

CREATE FUNCTION @extschema@.driver_priority(names text[], beta float8[], vcov float8[], df float8 DEFAULT NULL,
                                            draws integer DEFAULT 10000, seed bigint DEFAULT 1,
                                            level float8 DEFAULT 0.95, signed boolean DEFAULT false)
    RETURNS TABLE (ordinal integer, name text, importance float8, rank integer, p_most_important float8,
                   mean_rank float8, rank_low integer, rank_high integer, status text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'exlink_driver_priority_arrays';
COMMENT ON FUNCTION @extschema@.driver_priority(text[], float8[], float8[], float8, integer, bigint, float8, boolean) IS
    'driver_priority for betas and their covariance (q x q) from any source; df NULL or Infinity draws from a normal, else from a multivariate t.';
