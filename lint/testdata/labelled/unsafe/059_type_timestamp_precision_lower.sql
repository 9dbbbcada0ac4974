-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: a lower precision rounds every value: rewrite
ALTER TABLE users ALTER COLUMN last_login TYPE timestamp(0);
