-- expect: none
-- strata:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS idx_old;
