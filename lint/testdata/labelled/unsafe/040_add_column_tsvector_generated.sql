-- label: unsafe
-- source: strong_migrations README, adding a stored generated column (github.com/ankane/strong_migrations)
-- why: rewrite under ACCESS EXCLUSIVE
ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(description, ''))) STORED;
