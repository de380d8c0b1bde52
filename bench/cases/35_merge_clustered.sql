-- title: merge of 1,000 cells with cluster summary + driver_weights (target: exlink ms <= 50)
-- target: <= 5
-- setup: CREATE TEMP TABLE bench_cells AS SELECT abs(hashtext(employee)) % 1000 AS cell, exlink.moments(ARRAY[outcome, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10], employee) AS m FROM bench_data GROUP BY 1;
-- setup: CREATE TEMP TABLE bench_cells_plain AS SELECT abs(hashtext(employee)) % 1000 AS cell, exlink.moments(ARRAY[outcome, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]) AS m FROM bench_data GROUP BY 1;
-- Cells in which employees are nested (each employee in one cell), 10 drivers: each cell's
-- value carries the 3,081-double cluster summary (24 kB).  The issue's target is absolute
-- (exlink ms <= 50); the ratio is against the same merge of cells without a summary.
-- baseline:
SELECT exlink.driver_weights(exlink.merge(m)) FROM bench_cells_plain;
-- exlink:
SELECT exlink.driver_weights(exlink.merge(m)) FROM bench_cells;
