-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: timestamp(3) to timestamp(6): no rewrite
ALTER TABLE users ALTER COLUMN last_login TYPE timestamp(6);
