-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: a new column with a non-null default and a REFERENCES clause is checked row by row under SHARE ROW EXCLUSIVE (and ACCESS EXCLUSIVE for the ADD)
ALTER TABLE orders ADD COLUMN owner_id bigint DEFAULT 1 REFERENCES accounts (id);
