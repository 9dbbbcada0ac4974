-- label: unsafe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: a new scale rounds every value: rewrite
ALTER TABLE products ALTER COLUMN price TYPE numeric(12,4);
