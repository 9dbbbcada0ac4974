-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: no rewrite
ALTER TABLE accounts ADD COLUMN prefs jsonb NOT NULL DEFAULT '{}'::jsonb;
