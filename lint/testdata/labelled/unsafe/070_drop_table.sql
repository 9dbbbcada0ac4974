-- label: unsafe
-- source: squawk rule docs, ban-drop-table (squawkhq.com/docs/ban-drop-table)
-- why: running code that still uses sessions breaks
DROP TABLE sessions;
