-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations) (increasing precision, same scale)
-- why: no rewrite
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2);
