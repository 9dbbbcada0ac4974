-- strata:up
-- strata:no-transaction
CREATE INDEX CONCURRENTLY users_email_idx ON users (email); -- strata:lint-ignore create-index-non-concurrent -- it is concurrent
-- strata:down
DROP INDEX CONCURRENTLY users_email_idx;
