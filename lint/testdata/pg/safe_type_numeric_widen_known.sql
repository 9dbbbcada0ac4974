-- expect: none
-- column-type: items.price numeric(10,2)
-- Widening a numeric's precision at the same scale never rewrites: every
-- stored value still fits, so PostgreSQL only changes the column's typmod.
SET lock_timeout = '2s';
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);
