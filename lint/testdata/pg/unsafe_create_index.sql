-- expect: create-index-non-concurrent
CREATE INDEX idx_users_email ON users (email);
