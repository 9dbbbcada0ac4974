-- expect: create-index-non-concurrent
-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
-- +goose StatementEnd
CREATE INDEX orders_f ON orders (status);

-- +goose Down
DROP INDEX orders_f;
