-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: not UTC: every value is converted, rewrite
SET TimeZone = 'Europe/Paris';
ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz;
