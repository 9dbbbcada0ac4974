-- label: safe
-- source: strong_migrations README, changing the default value of a column (github.com/ankane/strong_migrations)
-- why: catalog-only change
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';
