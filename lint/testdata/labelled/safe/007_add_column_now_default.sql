-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (now() is stable: evaluated once)
-- why: no rewrite
ALTER TABLE orders ADD COLUMN synced_at timestamptz DEFAULT now();
