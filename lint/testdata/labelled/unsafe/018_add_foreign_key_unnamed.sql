-- label: unsafe
-- source: strong_migrations README, adding a foreign key (github.com/ankane/strong_migrations)
-- why: SHARE ROW EXCLUSIVE on sessions and users while every row is checked
ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
