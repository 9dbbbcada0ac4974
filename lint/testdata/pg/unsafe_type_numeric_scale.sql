-- expect: alter-column-type
-- column-type: items.price numeric(10,2)
SET lock_timeout = '2s';
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,3);
