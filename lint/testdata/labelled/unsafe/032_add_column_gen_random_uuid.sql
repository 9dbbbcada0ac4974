-- label: unsafe
-- source: squawk rule docs, adding-field-with-default (squawkhq.com/docs/adding-field-with-default)
-- why: a volatile default is evaluated per row: the table is rewritten under ACCESS EXCLUSIVE
ALTER TABLE users ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
