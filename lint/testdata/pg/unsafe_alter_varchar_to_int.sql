-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN zip TYPE integer USING zip::integer;
