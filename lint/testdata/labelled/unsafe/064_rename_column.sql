-- label: unsafe
-- source: squawk rule docs, renaming-column (squawkhq.com/docs/renaming-column)
-- why: running code that reads the old name breaks
ALTER TABLE users RENAME COLUMN nickname TO handle;
