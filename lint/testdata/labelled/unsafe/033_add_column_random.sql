-- label: unsafe
-- source: squawk rule docs, adding-field-with-default (squawkhq.com/docs/adding-field-with-default)
-- why: random() is volatile: rewrite under ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN shard integer DEFAULT (random() * 10)::integer;
