-- label: unsafe
-- source: PostgreSQL docs, explicit locking (explicit-locking.html)
-- why: ACCESS EXCLUSIVE on orders until the transaction ends
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
UPDATE orders SET status = status WHERE id = 1;
COMMIT;
