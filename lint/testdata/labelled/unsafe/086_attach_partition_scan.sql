-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (ATTACH PARTITION)
-- why: ACCESS EXCLUSIVE on measurements_2025 while every row is checked against the bound
ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
