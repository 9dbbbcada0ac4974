-- expect: concurrently-in-transaction
SET lock_timeout = '1s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);
BEGIN;
CREATE INDEX CONCURRENTLY j ON t (d);
COMMIT;
