-- label: unsafe
-- source: strong_migrations README, adding a column with a volatile default (github.com/ankane/strong_migrations)
-- why: uuid_generate_v4() is volatile: rewrite under ACCESS EXCLUSIVE
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
ALTER TABLE accounts ADD COLUMN guid uuid DEFAULT uuid_generate_v4();
