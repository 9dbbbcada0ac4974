-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
ALTER TABLE users ALTER COLUMN name TYPE text;
