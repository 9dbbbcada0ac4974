-- expect: alter-column-type
ALTER TABLE orders ALTER COLUMN total TYPE numeric;
