-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN name TYPE text;
