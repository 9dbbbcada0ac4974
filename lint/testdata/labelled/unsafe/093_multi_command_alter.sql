-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: one ALTER: the SET NOT NULL scans under the ADD COLUMN lock
ALTER TABLE users ADD COLUMN locale text, ALTER COLUMN email SET NOT NULL;
