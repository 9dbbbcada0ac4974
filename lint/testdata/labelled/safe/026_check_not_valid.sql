-- label: safe
-- source: squawk rule docs, constraint-missing-not-valid (squawkhq.com/docs/constraint-missing-not-valid)
-- why: NOT VALID: no scan
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total >= 0) NOT VALID;
