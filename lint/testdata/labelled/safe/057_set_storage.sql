-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: catalog-only: existing rows are not rewritten
ALTER TABLE products ALTER COLUMN description SET STORAGE EXTERNAL;
