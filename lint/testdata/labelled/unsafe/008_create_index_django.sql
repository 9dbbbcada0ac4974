-- label: unsafe
-- source: Django sqlmigrate output, as in squawk test cases
-- why: SHARE lock on orders inside the migration transaction
BEGIN;
--
-- Alter field coupon on order
--
CREATE INDEX "orders_coupon_idx" ON "orders" ("coupon");
COMMIT;
