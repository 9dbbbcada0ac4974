-- label: unsafe
-- source: squawk rule docs, renaming-table (squawkhq.com/docs/renaming-table)
-- why: running code that reads the old name breaks
ALTER TABLE audit_log RENAME TO audit_events;
