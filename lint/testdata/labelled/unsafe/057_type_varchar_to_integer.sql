-- label: unsafe
-- source: dangerous example in a public migration-safety guide (status to integer)
-- why: converts every value: rewrite
ALTER TABLE users ALTER COLUMN zip TYPE integer USING zip::integer;
