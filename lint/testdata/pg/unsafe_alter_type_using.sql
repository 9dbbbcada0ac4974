-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN age TYPE int USING age::int;
