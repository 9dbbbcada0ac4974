-- label: unsafe
-- source: strong_migrations README, adding an exclusion constraint (github.com/ankane/strong_migrations)
-- why: ACCESS EXCLUSIVE on sessions while the constraint index is built
ALTER TABLE sessions ADD CONSTRAINT sessions_token_excl EXCLUDE USING btree (token WITH =);
