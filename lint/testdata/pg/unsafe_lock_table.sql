-- expect: lock-table
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
UPDATE orders SET status = 'x' WHERE id = 1;
COMMIT;
