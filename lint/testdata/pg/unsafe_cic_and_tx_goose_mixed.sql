-- expect: concurrently-in-transaction
-- +goose Up
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);
-- +goose Down
ALTER TABLE orders DROP COLUMN shipped_at;
