-- label: unsafe
-- source: strong_migrations README, removing a column (github.com/ankane/strong_migrations)
-- why: running code that still reads coupon breaks
ALTER TABLE orders DROP COLUMN IF EXISTS coupon;
