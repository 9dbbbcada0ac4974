-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: no rewrite
ALTER TABLE events ADD COLUMN labels text[] DEFAULT '{}';
