-- label: safe
-- source: squawk rule docs, require-concurrent-reindex (squawkhq.com/docs/require-concurrent-reindex)
-- why: writes go on
REINDEX INDEX CONCURRENTLY users_email_idx;
