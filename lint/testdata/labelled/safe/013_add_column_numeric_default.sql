-- label: safe
-- source: squawk rule docs, adding-field-with-default (squawkhq.com/docs/adding-field-with-default)
-- why: no rewrite
ALTER TABLE products ADD COLUMN weight numeric(8,3) DEFAULT 0;
