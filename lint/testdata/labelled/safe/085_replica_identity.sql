-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: catalog-only
ALTER TABLE orders REPLICA IDENTITY FULL;
