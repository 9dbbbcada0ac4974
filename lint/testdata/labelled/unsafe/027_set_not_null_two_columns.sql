-- label: unsafe
-- source: strong_migrations README, setting NOT NULL on an existing column (github.com/ankane/strong_migrations)
-- why: ACCESS EXCLUSIVE on orders while every row is scanned
ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL, ALTER COLUMN total SET NOT NULL;
