-- expect: none
-- strata runs a file outside a transaction when a statement cannot run in one, whatever its format (goose and dbmate would wrap it and fail; add their no-transaction directive to keep the file portable)
-- +goose Up
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);

-- +goose Down
DROP INDEX idx_users_email;
