-- label: unsafe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations) (safe only with UTC, PostgreSQL 12+)
-- why: rewrites unless the session TimeZone is UTC, which the migration does not set
ALTER TABLE orders ALTER COLUMN shipped_at TYPE timestamptz;
