-- label: unsafe
-- source: squawk rule docs, require-concurrent-index-deletion (squawkhq.com/docs/require-concurrent-index-deletion)
-- why: ACCESS EXCLUSIVE on orders: queues behind every running query and blocks all behind it
DROP INDEX orders_status_idx;
