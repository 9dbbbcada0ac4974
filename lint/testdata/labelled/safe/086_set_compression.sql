-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: affects new values only
ALTER TABLE products ALTER COLUMN description SET COMPRESSION pglz;
