-- label: unsafe
-- source: squawk rule docs, adding-required-field (squawkhq.com/docs/adding-required-field)
-- why: NOT NULL without a default fails on a table that has rows
-- fails: yes
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
