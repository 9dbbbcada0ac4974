-- label: safe
-- source: strong_migrations README, adding a column with a default value (github.com/ankane/strong_migrations)
-- why: no rewrite on PostgreSQL 11+
ALTER TABLE orders ADD COLUMN is_gift boolean NOT NULL DEFAULT false;
