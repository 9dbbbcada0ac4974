-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: char(n) length changes pad every value: rewrite
ALTER TABLE users ALTER COLUMN status TYPE char(2);
