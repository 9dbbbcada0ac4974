-- expect: add-column-required
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
