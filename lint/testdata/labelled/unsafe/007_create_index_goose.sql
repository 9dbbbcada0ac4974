-- label: unsafe
-- source: goose-format migration directories (real-world shape)
-- why: SHARE lock on orders for the whole build
-- +goose Up
CREATE INDEX orders_ref_idx ON orders (ref);

-- +goose Down
DROP INDEX orders_ref_idx;
