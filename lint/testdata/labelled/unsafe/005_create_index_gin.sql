-- label: unsafe
-- source: strong_migrations README, adding an index non-concurrently (github.com/ankane/strong_migrations)
-- why: SHARE lock on orders for the whole build
CREATE INDEX orders_payload_gin ON orders USING gin (payload);
