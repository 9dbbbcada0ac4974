-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations) (UTC, PostgreSQL 12+)
-- why: UTC: values keep their bits; created_at has no index to rebuild
SET TimeZone = 'UTC';
ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz;
