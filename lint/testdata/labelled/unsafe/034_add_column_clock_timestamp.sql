-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: clock_timestamp() is volatile: rewrite under ACCESS EXCLUSIVE
ALTER TABLE events ADD COLUMN imported_at timestamptz DEFAULT clock_timestamp();
