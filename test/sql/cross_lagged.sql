-- Direction of flow: the cross-lagged pattern of docs/drivers.md on team x wave cells, with
-- inference clustered by team (each team contributes one row per pair of consecutive waves).
-- Planted: EX(t+1) = 0.6 EX(t) + 0 CX(t) + noise; CX(t+1) = 0.5 CX(t) + 0.4 EX(t) + 0.5 a + noise,
-- a a stable team level of CX (so a team's CX residuals are correlated over waves), for 80 teams
-- over 5 waves (320 pairs).  Deterministic draws (hashes), as in null_simulation.
CREATE FUNCTION pg_temp.u(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT (((pg_catalog.hashint8extended(k, 13 * 65536 + s) >> 11) & 9007199254740991)::float8 + 0.5)
               / 9007199254740992.0';
CREATE FUNCTION pg_temp.z(k bigint, s int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT pg_catalog.sqrt(-2 * pg_catalog.ln(pg_temp.u(k, s))) * pg_catalog.cos(2 * pg_catalog.pi() * pg_temp.u(k, s + 1))';
CREATE TABLE team_wave AS
WITH RECURSIVE w(team, wave, ex, cx) AS (
    SELECT t, 1, pg_temp.z(t, 1), pg_temp.z(t, 3) FROM generate_series(1, 80) t
    UNION ALL
    SELECT team, wave + 1,
           0.6 * ex + 0.0 * cx + 0.8 * pg_temp.z(team * 10 + wave, 5),
           0.5 * cx + 0.4 * ex + 0.5 * pg_temp.z(team, 9) + 0.75 * pg_temp.z(team * 10 + wave, 7)
      FROM w WHERE wave < 5)
SELECT 'T' || lpad(team::text, 2, '0') AS team, wave, ex, cx FROM w;
-- The documented pattern: consecutive waves side by side, one regression per direction, the team
-- as the member (so the guard counts teams and the inference is clustered by team).
CREATE VIEW lagged AS
SELECT a.team, a.ex AS ex_t, a.cx AS cx_t, b.ex AS ex_next, b.cx AS cx_next
  FROM team_wave a JOIN team_wave b ON b.team = a.team AND b.wave = a.wave + 1;
CREATE TABLE lagged_models AS
SELECT exlink.driver_weights(cx_next, ARRAY[ex_t, cx_t], team, ARRAY['EX(t)', 'CX(t)']) AS clustered_cx,
       exlink.driver_weights(ex_next, ARRAY[cx_t, ex_t], team, ARRAY['CX(t)', 'EX(t)']) AS clustered_ex,
       exlink.driver_weights(cx_next, ARRAY[ex_t, cx_t], team, ARRAY['EX(t)', 'CX(t)'], 'independent') AS independent_cx,
       exlink.driver_weights(ex_next, ARRAY[cx_t, ex_t], team, ARRAY['CX(t)', 'EX(t)'], 'independent') AS independent_ex
  FROM lagged;
SELECT path, d.name, round(d.beta::numeric, 2) AS beta, round(d.ci_low::numeric, 2) AS ci_low,
       round(d.ci_high::numeric, 2) AS ci_high, d.p_value < 0.05 AS significant, d.inference, d.clusters AS teams,
       round(d.df::numeric, 2) AS df, d.n AS pairs
  FROM (SELECT 'CX(t+1)' AS path, exlink.driver_weights(cx_next, ARRAY[ex_t, cx_t], team, ARRAY['EX(t)', 'CX(t)']) AS m FROM lagged
        UNION ALL
        SELECT 'EX(t+1)', exlink.driver_weights(ex_next, ARRAY[cx_t, ex_t], team, ARRAY['CX(t)', 'EX(t)']) FROM lagged) m,
       exlink.drivers(m.m) d
 ORDER BY path, d.ordinal;
-- Clustering by team matters where a team's pairs share a persistent part: the CX equation, whose
-- intervals are wider than with independent rows (ratio of widths per path and driver); the EX
-- equation has no team level, and its ratios stay near 1.
SELECT c.path, c.name, round(((c.ci_high - c.ci_low) / (i.ci_high - i.ci_low))::numeric, 2) AS width_ratio
  FROM (SELECT 'CX(t+1)' AS path, d.* FROM lagged_models m, exlink.drivers(m.clustered_cx) d
        UNION ALL SELECT 'EX(t+1)', d.* FROM lagged_models m, exlink.drivers(m.clustered_ex) d) c
  JOIN (SELECT 'CX(t+1)' AS path, d.* FROM lagged_models m, exlink.drivers(m.independent_cx) d
        UNION ALL SELECT 'EX(t+1)', d.* FROM lagged_models m, exlink.drivers(m.independent_ex) d) i
    USING (path, ordinal)
 ORDER BY c.path, c.ordinal;
DROP TABLE lagged_models;
DROP VIEW lagged;
DROP TABLE team_wave;
