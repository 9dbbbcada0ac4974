-- label: unsafe
-- source: squawk rule docs, constraint-missing-not-valid (squawkhq.com/docs/constraint-missing-not-valid)
-- why: VALIDATE in the ADD ... NOT VALID transaction keeps ACCESS EXCLUSIVE during the scan
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_qty_positive;
