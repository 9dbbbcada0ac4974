-- expect: none
-- column-type: orders.total numeric(10,2)
ALTER TABLE orders ALTER COLUMN total TYPE numeric;
