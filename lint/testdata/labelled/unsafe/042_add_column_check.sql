-- label: unsafe
-- source: squawk rule docs, constraint-missing-not-valid (squawkhq.com/docs/constraint-missing-not-valid)
-- why: the inline CHECK is verified on every row under ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN discount numeric CHECK (discount >= 0);
