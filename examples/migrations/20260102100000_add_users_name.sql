-- strata:lock-timeout 2s
-- strata:up
ALTER TABLE users ADD COLUMN name TEXT;

-- strata:down
ALTER TABLE users DROP COLUMN name;
