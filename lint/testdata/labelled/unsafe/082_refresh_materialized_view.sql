-- label: unsafe
-- source: PostgreSQL docs, explicit locking (explicit-locking.html)
-- why: ACCESS EXCLUSIVE on daily_totals while the query runs: readers wait
REFRESH MATERIALIZED VIEW daily_totals;
