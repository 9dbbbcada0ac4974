-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: interval to interval of all fields: no rewrite
ALTER TABLE events ALTER COLUMN duration TYPE interval;
