-- title: nps(score, e) vs plain-SQL NPS with count(DISTINCT e) >= 5
-- target: <= 1.0
-- baseline:
SELECT (x1 * 100)::int AS g,
       CASE WHEN count(DISTINCT employee) >= 5
            THEN 100.0 * (count(*) FILTER (WHERE greatest(0, least(10, (outcome * 5)::int)) >= 9)
                          - count(*) FILTER (WHERE greatest(0, least(10, (outcome * 5)::int)) <= 6)) / count(*) END
  FROM bench_data GROUP BY 1;
-- exlink:
SELECT (x1 * 100)::int AS g, exlink.nps(greatest(0, least(10, (outcome * 5)::int)), employee) FROM bench_data GROUP BY 1;
