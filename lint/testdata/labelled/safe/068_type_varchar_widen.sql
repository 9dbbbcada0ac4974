-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations) (increasing the length limit)
-- why: varchar(40) to varchar(80): no rewrite
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(80);
