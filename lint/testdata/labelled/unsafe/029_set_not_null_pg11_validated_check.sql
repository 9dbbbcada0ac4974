-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html), PostgreSQL 11 (no CHECK shortcut before 12)
-- why: before PostgreSQL 12 SET NOT NULL always scans
-- server-version: 11
-- strata:no-transaction
ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
