-- custodian: refresh the publication (the refresh path), then record what it released.
REFRESH MATERIALIZED VIEW CONCURRENTLY published.cells;
INSERT INTO load.history SELECT clock_timestamp(), count(*), min(members) FROM published.cells;
