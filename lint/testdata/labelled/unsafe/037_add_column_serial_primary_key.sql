-- label: unsafe
-- source: squawk rule docs, adding-serial-primary-key-field (squawkhq.com/docs/adding-serial-primary-key-field)
-- why: rewrite plus a unique index build under ACCESS EXCLUSIVE
ALTER TABLE audit_log ADD COLUMN pk serial PRIMARY KEY;
