-- +goose no transaction
-- +goose Up
CREATE INDEX CONCURRENTLY widgets_name_idx ON widgets (name);

-- +goose Down
DROP INDEX CONCURRENTLY widgets_name_idx;
