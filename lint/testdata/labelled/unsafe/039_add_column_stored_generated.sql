-- label: unsafe
-- source: strong_migrations README, adding a stored generated column (github.com/ankane/strong_migrations)
-- why: a stored generated column is computed for every row: rewrite under ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED;
