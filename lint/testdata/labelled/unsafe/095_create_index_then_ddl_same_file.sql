-- label: unsafe
-- source: squawk rule docs, require-concurrent-index-creation (squawkhq.com/docs/require-concurrent-index-creation)
-- why: SHARE lock on orders for the whole build
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN region text;
CREATE INDEX orders_region_idx ON orders (region);
