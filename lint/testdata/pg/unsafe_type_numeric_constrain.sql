-- expect: alter-column-type
-- column-type: items.price numeric
SET lock_timeout = '2s';
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);
