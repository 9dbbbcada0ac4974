-- expect: concurrently-in-transaction
-- +goose Up
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);

-- +goose Down
DROP INDEX idx_users_email;
