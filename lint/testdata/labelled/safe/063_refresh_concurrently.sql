-- label: safe
-- source: PostgreSQL docs, explicit locking (explicit-locking.html)
-- why: EXCLUSIVE on the view: reads go on
REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;
