-- expect: none
ALTER TABLE users ALTER COLUMN name TYPE text;
