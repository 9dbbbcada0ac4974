-- label: safe
-- source: strong_migrations README, changing the type of a column (github.com/ankane/strong_migrations)
-- why: cidr to inet is binary coercible: no rewrite
ALTER TABLE users ALTER COLUMN signup_ip TYPE inet;
