-- label: unsafe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: a shorter limit checks and rewrites every value
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(20);
