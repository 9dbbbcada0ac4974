-- label: safe
-- source: squawk rule docs, constraint-missing-not-valid (squawkhq.com/docs/constraint-missing-not-valid)
-- why: the ADD commits first; VALIDATE runs under SHARE UPDATE EXCLUSIVE
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT orders_qty_positive;
