-- expect: none
BEGIN;
SET LOCAL lock_timeout = '3s';
ALTER TABLE orders ADD CONSTRAINT orders_total_nonneg CHECK (total >= 0) NOT VALID;
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_nonneg;
