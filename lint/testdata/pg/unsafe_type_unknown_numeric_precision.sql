-- expect: alter-column-type
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,2);
