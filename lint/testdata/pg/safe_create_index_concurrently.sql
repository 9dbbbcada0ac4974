-- expect: none
-- strata:no-transaction
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
