-- expect: add-column-volatile-default
-- migrate:up
ALTER TABLE t ADD COLUMN c uuid NOT NULL DEFAULT gen_random_uuid();
-- migrate:down
ALTER TABLE t DROP COLUMN c;
