-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: varchar(n) to varchar: no rewrite
ALTER TABLE users ALTER COLUMN email TYPE varchar;
