-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: an identity column fills every row: rewrite under ACCESS EXCLUSIVE
ALTER TABLE audit_log ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;
