-- expect: add-column-volatile-default
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
ALTER TABLE accounts ADD COLUMN external_id uuid NOT NULL DEFAULT uuid_generate_v4();
