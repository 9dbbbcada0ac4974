-- label: unsafe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: WHERE true: every row locked in one transaction
UPDATE orders SET note = '' WHERE true;
