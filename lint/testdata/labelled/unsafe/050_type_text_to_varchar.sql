-- label: unsafe
-- source: dangerous example in a public migration-safety guide (text to varchar(255))
-- why: text to varchar(n) checks and rewrites every value
ALTER TABLE users ALTER COLUMN name TYPE varchar(255);
