-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN zip TYPE text USING zip::text;
