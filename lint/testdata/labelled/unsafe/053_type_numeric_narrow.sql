-- label: unsafe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: a lower precision checks every value: rewrite
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(10,2);
