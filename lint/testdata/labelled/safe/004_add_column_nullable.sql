-- label: safe
-- source: squawk rule docs, adding-field-with-default (squawkhq.com/docs/adding-field-with-default)
-- why: a nullable column without default changes only the catalog
ALTER TABLE users ADD COLUMN bio2 text;
