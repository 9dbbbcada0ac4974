-- label: safe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: one bounded batch, in its own migration
UPDATE users SET role = 'member' WHERE id >= 1 AND id < 5001 AND role IS NULL;
