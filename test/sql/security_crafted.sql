-- Rule: anything an analyst can construct (exlink.moments text input, the aggregates' support
-- functions, aggregates of their own) is untrusted: no crash, no wrapped count, no value that
-- breaks the type's invariants, no state of one aggregate fed to another.  As the analyst.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET ROLE regress_analyst;

-- must fail: crafted values whose merged row counts overflow int64 (they wrapped to a negative n)
SELECT exlink.merge(m) FROM (VALUES
    ('{"p":1,"n":9223372036854775807,"skipped":0,"members":5,"mean":[1],"comoment":[1]}'::exlink.moments),
    ('{"p":1,"n":9223372036854775807,"skipped":0,"members":5,"mean":[1],"comoment":[1]}')) t(m);
SELECT exlink.merge(m) FROM (VALUES
    ('{"p":1,"n":2,"skipped":9223372036854775807,"members":null,"mean":[1],"comoment":[1]}'::exlink.moments),
    ('{"p":1,"n":2,"skipped":1,"members":null,"mean":[1],"comoment":[1]}')) t(m);
-- must fail: merged extreme values overflow the means: no value (not NaN/Infinity, which the
-- type's own input refuses)
SELECT exlink.merge(m) IS NULL AS no_value FROM (VALUES
    ('{"p":1,"n":1000,"skipped":0,"members":null,"mean":[1e308],"comoment":[0]}'::exlink.moments),
    ('{"p":1,"n":1000,"skipped":0,"members":null,"mean":[-1e308],"comoment":[0]}')) t(m);
SELECT exlink.moments(x) IS NULL AS no_value FROM (VALUES ('{1e308}'::float8[]), ('{-1e308}'), ('{1e308}')) t(x);
-- must fail: malformed or inconsistent text input (members above n, negative n, non-finite,
-- wrong lengths, more than 64 variables, trailing garbage)
SELECT '{"p":1,"n":2,"skipped":0,"members":3,"mean":[1],"comoment":[1]}'::exlink.moments;
SELECT '{"p":1,"n":-1,"skipped":0,"members":null,"mean":[1],"comoment":[1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":-2,"mean":[1],"comoment":[1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":null,"mean":[NaN],"comoment":[1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":null,"mean":[1e400],"comoment":[1]}'::exlink.moments;
SELECT '{"p":2,"n":2,"skipped":0,"members":null,"mean":[1],"comoment":[1]}'::exlink.moments;
SELECT '{"p":65,"n":2,"skipped":0,"members":null,"mean":[],"comoment":[]}'::exlink.moments;
SELECT '{"p":2,"n":3,"skipped":0,"members":null,"mean":[1,2],"comoment":[1,5,1]}'::exlink.moments;
SELECT '{"p":1,"n":2,"skipped":0,"members":null,"mean":[1],"comoment":[1]} x'::exlink.moments;
SELECT ''::exlink.moments;
-- must fail: the aggregates' support functions called directly from SQL: no SQL value converts
-- to internal, so no call resolves (and each would refuse to run outside an aggregate anyway)
-- (PostgreSQL 15.18 refuses the NULL as "cannot accept a value of type internal", 0A000; later
-- minor versions find no such function, 42883: either way no call runs.)
CREATE FUNCTION pg_temp.refused(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ran';
EXCEPTION WHEN undefined_function OR feature_not_supported THEN
    RETURN 'refused';
END $$;
SELECT q, pg_temp.refused(q)
  FROM unnest(ARRAY['SELECT exlink.moments_finalfn(NULL)',
                    'SELECT exlink.moments_combinefn(NULL, NULL)',
                    'SELECT exlink.members_at_least_finalfn(NULL)',
                    'SELECT exlink.moments_deserialfn(''\x01''::bytea, NULL)']) q;
-- must fail: an aggregate of the analyst's own mixing exlink's support functions (a
-- members_at_least state read as moments) cannot be made: internal states need a superuser
CREATE AGGREGATE pg_temp.mix(text, integer) (SFUNC = exlink.members_at_least_transfn, STYPE = internal,
                                             FINALFUNC = exlink.moments_finalfn);
-- must fail: array shapes and k arguments out of range
SELECT exlink.moments(x) FROM (VALUES ('{}'::float8[])) t(x);
SELECT exlink.moments(x) FROM (VALUES ('{{1,2},{3,4}}'::float8[])) t(x);
SELECT exlink.moments(x) FROM (SELECT array_agg(i::float8) FROM generate_series(1, 65) i) t(x);
SELECT exlink.n(exlink.moments(x)) FROM (SELECT array_agg(i::float8) FROM generate_series(1, 64) i) t(x);
SELECT exlink.moments(ARRAY[1.0::float8], 'a', 1);
SELECT exlink.moments(ARRAY[1.0::float8], 'a', 1001);
SELECT exlink.members_at_least(m, 1) FROM (VALUES ('a')) t(m);
SELECT exlink.guarded_avg(1.0, 'a', -1);
RESET ROLE;
