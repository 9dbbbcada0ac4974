-- label: unsafe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: the UPDATE runs in the ADD COLUMN transaction: ACCESS EXCLUSIVE is held for the whole backfill
ALTER TABLE users ADD COLUMN full_name text;
UPDATE users SET full_name = name WHERE full_name IS NULL;
