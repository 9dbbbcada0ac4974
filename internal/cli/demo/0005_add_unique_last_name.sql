-- strata:up
-- This migration is wrong on purpose: many customers share a last name, so
-- the unique index fails after a column was added and filled.
-- Everything runs in one transaction, so strata rolls it all back.
ALTER TABLE users ADD COLUMN nickname TEXT;
UPDATE users SET nickname = lower(first_name);
CREATE UNIQUE INDEX users_last_name_key ON users (last_name);

-- strata:down
DROP INDEX users_last_name_key;
ALTER TABLE users DROP COLUMN nickname;
