-- expect: none
-- strata runs a file outside a transaction when a statement cannot run in one, whatever its format (goose and dbmate would wrap it and fail; add their no-transaction directive to keep the file portable)
-- +goose Up
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);
-- +goose Down
ALTER TABLE orders DROP COLUMN shipped_at;
