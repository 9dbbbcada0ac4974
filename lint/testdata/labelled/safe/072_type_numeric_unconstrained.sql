-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: numeric(p,s) to numeric: no rewrite
ALTER TABLE products ALTER COLUMN price TYPE numeric;
