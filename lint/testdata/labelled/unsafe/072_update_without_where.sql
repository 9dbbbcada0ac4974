-- label: unsafe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: one transaction locks every row of users
UPDATE users SET active = true;
