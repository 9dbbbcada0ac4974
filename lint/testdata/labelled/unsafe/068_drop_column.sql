-- label: unsafe
-- source: squawk rule docs, ban-drop-column (squawkhq.com/docs/ban-drop-column)
-- why: running code that still reads bio breaks
ALTER TABLE users DROP COLUMN bio;
