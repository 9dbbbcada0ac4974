-- expect: refresh-matview-non-concurrent
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;
REFRESH MATERIALIZED VIEW stats_daily;
