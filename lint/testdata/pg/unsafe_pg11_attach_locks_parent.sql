-- expect: attach-partition-scan
-- server-version: 11
-- Before PostgreSQL 12, ATTACH PARTITION takes ACCESS EXCLUSIVE on the
-- parent too (12 takes SHARE UPDATE EXCLUSIVE): every query on the
-- partitioned table waits for the scan of the new partition.
SET lock_timeout = '2s';
ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
