-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: SHARE UPDATE EXCLUSIVE, catalog-only
ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.01);
