-- label: unsafe
-- source: squawk rule docs, ban-set-schema (squawkhq.com/docs/ban-set-schema)
-- why: running code that uses the unqualified name breaks
CREATE SCHEMA IF NOT EXISTS archive;
ALTER TABLE audit_log SET SCHEMA archive;
