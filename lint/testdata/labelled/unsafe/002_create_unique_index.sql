-- label: unsafe
-- source: strong_migrations README, adding an index non-concurrently (github.com/ankane/strong_migrations)
-- why: SHARE lock on users for the whole build
CREATE UNIQUE INDEX users_nickname_key ON users (nickname);
