-- expect: drop-column
ALTER TABLE users DROP COLUMN IF EXISTS middle_name;
