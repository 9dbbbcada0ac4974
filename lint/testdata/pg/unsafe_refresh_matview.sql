-- expect: refresh-matview-non-concurrent
REFRESH MATERIALIZED VIEW daily_totals;
