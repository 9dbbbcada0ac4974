-- label: unsafe
-- source: squawk rule docs, changing-column-type (squawkhq.com/docs/changing-column-type)
-- why: text to an enum converts every value: rewrite
ALTER TABLE orders ALTER COLUMN status TYPE order_state USING status::order_state;
