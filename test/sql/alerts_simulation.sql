-- Alerts under the null and with a planted drop (issue 20): statistical properties of
-- exlink.alert_statistics on cells computed from rows generated deterministically here, with
-- realistic team sizes and clustering by employee.  Figures, not timings.
--   150 teams of 5 to 25 employees, 8 CX and EX rows per employee per month, 12 months;
--   a persistent team effect (sd 0.3) and employee effect (sd 0.5), row noise sd 1: the
--   employee's rows are correlated (ICC about 0.2), so cells' sd/sqrt(n) understate the
--   variance of a team's mean between teams, which phi must absorb.
SELECT setseed(0.2020);
CREATE TEMP TABLE sim_team AS
SELECT t, 5 + (t * 13) % 21 AS size, 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS eff
  FROM generate_series(1, 150) t ORDER BY t;
CREATE TEMP TABLE sim_emp AS
SELECT st.t, e, 0.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS eff
  FROM sim_team st, generate_series(1, st.size) e ORDER BY st.t, e;
CREATE TEMP TABLE sim_rows AS
SELECT se.t, se.e, m,
       tm.eff + se.eff + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS cx,
       0.5 * (tm.eff + se.eff) + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS ex
  FROM sim_emp se JOIN sim_team tm USING (t), generate_series(1, 12) m, generate_series(1, 8) r
 ORDER BY se.t, se.e, m, r;
SELECT count(DISTINCT t) AS teams, count(DISTINCT (t, e)) AS employees, count(*) AS rows,
       round(stddev(cx)::numeric, 2) AS sd_cx FROM sim_rows;
-- the cells a period publication would release (every team has at least k = 5 employees)
CREATE TEMP TABLE sim_cells AS
SELECT t, m, exlink.moments(ARRAY[cx, ex], t || '-' || e) AS mo FROM sim_rows GROUP BY t, m;
CREATE FUNCTION pg_temp.sim_alerts(cells regclass) RETURNS TABLE (period text, unit text, measure text, kind text, z float8, p_value float8, p_adjusted float8)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT s.period, s.unit, s.measure, s.kind, s.z, s.p_value, s.p_adjusted
          FROM (SELECT array_agg(lpad(c.m::text, 2, '0')) p, array_agg(c.m) r, array_agg(c.t::text) u, array_agg(v.measure) ms,
                       array_agg(exlink.n(c.mo)::float8) n, array_agg(e.mean) f, array_agg(e.se) se
                  FROM %s c CROSS JOIN unnest('{cx,ex}'::text[]) WITH ORDINALITY v(measure, j)
                 CROSS JOIN LATERAL exlink.mean_se(c.mo, v.j::integer) e) x,
               LATERAL exlink.alert_statistics(x.p, x.r, x.u, x.ms, x.n, x.f, x.se) s$q$, cells);
END $$;
CREATE TEMP TABLE sim_null AS SELECT * FROM pg_temp.sim_alerts('sim_cells');

-- 1. False alarms under the null.  Per kind, the share of tests with p < 0.05 must lie in the
-- binomial 99% interval of 0.05 for that many tests (level: 150 teams x 12 months x 2
-- measures; change and drift: 11 months).
SELECT kind, count(*) AS tests, count(*) FILTER (WHERE p_value < 0.05) AS p_below_05,
       round(avg((p_value < 0.05)::integer)::numeric, 4) AS rate,
       round((0.05 - 2.576 * sqrt(0.05 * 0.95 / count(*)))::numeric, 4) AS lower_99,
       round((0.05 + 2.576 * sqrt(0.05 * 0.95 / count(*)))::numeric, 4) AS upper_99,
       abs(avg((p_value < 0.05)::integer) - 0.05) <= 2.576 * sqrt(0.05 * 0.95 / count(*)) AS within
  FROM sim_null GROUP BY kind ORDER BY kind;
-- per month (level, 300 tests each): every month within its binomial 99.9% interval
SELECT count(*) AS months,
       count(*) FILTER (WHERE abs(rate - 0.05) <= 3.29 * sqrt(0.05 * 0.95 / tests)) AS months_within_999,
       round(min(rate)::numeric, 3) AS min_rate, round(max(rate)::numeric, 3) AS max_rate
  FROM (SELECT period, count(*) AS tests, avg((p_value < 0.05)::integer) AS rate FROM sim_null WHERE kind = 'level' GROUP BY period) x;
-- the alert list (Benjamini-Hochberg at 0.05 over 900 tests a month): months with any alert
-- (under the complete null BH controls the chance of any at 0.05 a month, so 0 to 2 of 12)
SELECT count(DISTINCT period) FILTER (WHERE p_adjusted < 0.05) AS months_with_an_alert,
       count(*) FILTER (WHERE p_adjusted < 0.05) AS alerts,
       count(DISTINCT period) FILTER (WHERE p_adjusted < 0.05) <= 2 AS within
  FROM sim_null;

-- 2. Detection: a drop of 0.3 SD (of a response, sd_cx above) in the CX of one team of 10
-- employees from month 7, planted in turn in each of the 150 teams' teams of size 10 (7
-- replicates: the same data otherwise).  Periods to detection: months from the first month of
-- the drop to the first alert on that team's CX (any kind), 1 = found in month 7; not found by
-- month 12: 7 (censored).
CREATE TEMP TABLE sim_detect (team integer, periods integer);
DO $$
DECLARE
    tm integer;
    sd float8 := (SELECT stddev(cx) FROM sim_rows);
BEGIN
    FOR tm IN SELECT t FROM sim_team WHERE size = 10 ORDER BY t LOOP
        DROP TABLE IF EXISTS sim_planted;
        CREATE TEMP TABLE sim_planted AS
        SELECT t, m, mo FROM sim_cells WHERE t <> tm
        UNION ALL
        SELECT t, m, exlink.moments(ARRAY[cx - CASE WHEN m >= 7 THEN 0.3 * sd ELSE 0 END, ex], t || '-' || e)
          FROM sim_rows WHERE t = tm GROUP BY t, m;
        INSERT INTO sim_detect
        SELECT tm, coalesce(min(period::integer) FILTER (WHERE period::integer >= 7 AND p_adjusted < 0.05 AND z < 0) - 6, 7)
          FROM pg_temp.sim_alerts('sim_planted') WHERE unit = tm::text AND measure = 'cx';
    END LOOP;
END $$;
SELECT count(*) AS replicates, percentile_disc(0.5) WITHIN GROUP (ORDER BY periods) AS median_periods_to_detection,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY periods) <= 2 AS within_goal_of_2, array_agg(periods ORDER BY team) AS periods
  FROM sim_detect;

-- 3. The drift statistic's in-control run length: 2000 units x 300 months of null changes
-- (consecutive changes of independent N(0, 1) levels, standardized), the EWMA (lambda 0.2) as
-- exlink.alert_statistics computes it, months to the first |z| > 1.96 (the level 0.05 before
-- adjustment; an alert needs more).
WITH RECURSIVE lv AS (
    SELECT u, k, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS y
      FROM generate_series(1, 2000) u, generate_series(0, 300) k),
ch AS (
    SELECT u, k, (y - lag(y) OVER (PARTITION BY u ORDER BY k)) / sqrt(2) AS z FROM lv),
ew(u, k, e) AS (
    SELECT u, k, 0.2 * z FROM ch WHERE k = 1
    UNION ALL
    SELECT ch.u, ch.k, 0.2 * ch.z + 0.8 * ew.e FROM ew JOIN ch ON ch.u = ew.u AND ch.k = ew.k + 1
     WHERE abs(ew.e) / sqrt(0.04 * (1 - 0.8 ^ (2 * ew.k)) / 0.36 - 0.04 * 0.8 * (1 - 0.8 ^ (2 * (ew.k - 1))) / 0.36) <= 1.959963984540054),
rl AS (
    SELECT u, max(k) AS run FROM ew GROUP BY u)
SELECT count(*) AS units, count(*) FILTER (WHERE run < 300) AS alarmed, round(avg(run)::numeric, 1) AS arl0_censored_300,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY run) AS median_run,
       avg(run) BETWEEN 17 AND 24 AS near_20
  FROM rl;
