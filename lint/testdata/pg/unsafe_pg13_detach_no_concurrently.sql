-- expect: detach-partition-non-concurrent
-- server-version: 13
-- DETACH PARTITION ... CONCURRENTLY arrived in PostgreSQL 14: the fix must
-- not suggest it on 13.
SET lock_timeout = '2s';
ALTER TABLE measurements DETACH PARTITION measurements_2024;
