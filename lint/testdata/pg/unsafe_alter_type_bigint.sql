-- expect: alter-column-type
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
