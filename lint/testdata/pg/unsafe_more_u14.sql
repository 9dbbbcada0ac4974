-- expect: alter-column-type update-without-where
UPDATE orders SET total = total * 100;
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
