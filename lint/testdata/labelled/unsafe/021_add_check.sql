-- label: unsafe
-- source: squawk rule docs, constraint-missing-not-valid (squawkhq.com/docs/constraint-missing-not-valid)
-- why: ACCESS EXCLUSIVE on orders while every row is checked
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total >= 0);
