-- label: unsafe
-- source: squawk rule docs, changing-column-type (squawkhq.com/docs/changing-column-type)
-- why: smallint to int converts every value: rewrite
ALTER TABLE users ALTER COLUMN age TYPE integer;
