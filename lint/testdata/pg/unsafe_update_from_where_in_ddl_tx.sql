-- expect: backfill-in-ddl-transaction create-index-non-concurrent
BEGIN;
ALTER TABLE users ALTER COLUMN name SET DEFAULT '';
CREATE INDEX users_name_idx ON users (name);
UPDATE users SET name = '' WHERE name IS NULL;
COMMIT;
