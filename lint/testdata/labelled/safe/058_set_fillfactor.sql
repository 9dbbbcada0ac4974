-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: SHARE UPDATE EXCLUSIVE, catalog-only
ALTER TABLE orders SET (fillfactor = 90);
