-- expect: none
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,2);
