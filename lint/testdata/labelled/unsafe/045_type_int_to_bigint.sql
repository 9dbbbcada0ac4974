-- label: unsafe
-- source: squawk rule docs, changing-column-type (squawkhq.com/docs/changing-column-type)
-- why: int to bigint converts every value: rewrite under ACCESS EXCLUSIVE
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
