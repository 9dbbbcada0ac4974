-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (a CHECK that implies the bound skips the scan)
-- why: the validated CHECK proves the bound: no scan
-- strata:no-transaction
ALTER TABLE measurements_2025 ADD CONSTRAINT m2025_bound CHECK (logdate IS NOT NULL AND logdate >= '2025-01-01' AND logdate < '2026-01-01') NOT VALID;
ALTER TABLE measurements_2025 VALIDATE CONSTRAINT m2025_bound;
ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
