-- label: unsafe
-- source: squawk rule docs, require-concurrent-index-creation (squawkhq.com/docs/require-concurrent-index-creation)
-- why: SHARE lock on orders while the whole table is read: writes wait
CREATE INDEX orders_placed_idx ON orders (placed_at);
