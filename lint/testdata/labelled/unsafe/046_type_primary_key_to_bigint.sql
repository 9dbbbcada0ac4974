-- label: unsafe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: rewrite of users and every index under ACCESS EXCLUSIVE
ALTER TABLE users ALTER COLUMN id TYPE bigint;
