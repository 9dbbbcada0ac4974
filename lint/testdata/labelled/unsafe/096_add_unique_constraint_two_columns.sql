-- label: unsafe
-- source: strong_migrations README, adding a unique constraint (github.com/ankane/strong_migrations)
-- why: ACCESS EXCLUSIVE on orders while a unique index is built
ALTER TABLE orders ADD CONSTRAINT orders_user_ref_key UNIQUE (user_id, ref);
