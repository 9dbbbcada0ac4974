-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: CURRENT_DATE is stable: no rewrite
ALTER TABLE orders ADD COLUMN day date DEFAULT CURRENT_DATE;
