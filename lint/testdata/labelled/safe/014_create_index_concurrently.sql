-- label: safe
-- source: squawk rule docs, require-concurrent-index-creation (squawkhq.com/docs/require-concurrent-index-creation)
-- why: CONCURRENTLY: writes go on (strata runs the file outside a transaction)
CREATE INDEX CONCURRENTLY orders_placed_idx ON orders (placed_at);
