-- label: unsafe
-- source: strong_migrations README, adding a check constraint (github.com/ankane/strong_migrations)
-- why: ACCESS EXCLUSIVE on users while every row is checked
ALTER TABLE users ADD CHECK (age >= 0);
