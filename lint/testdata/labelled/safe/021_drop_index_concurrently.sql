-- label: safe
-- source: squawk rule docs, require-concurrent-index-deletion (squawkhq.com/docs/require-concurrent-index-deletion)
-- why: no ACCESS EXCLUSIVE on the table
DROP INDEX CONCURRENTLY orders_status_idx;
