-- label: safe
-- source: goose docs, -- +goose NO TRANSACTION
-- why: writes go on
-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);

-- +goose Down
DROP INDEX CONCURRENTLY orders_ref_idx;
