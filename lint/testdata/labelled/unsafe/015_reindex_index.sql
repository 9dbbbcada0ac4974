-- label: unsafe
-- source: squawk rule docs, require-concurrent-reindex (squawkhq.com/docs/require-concurrent-reindex)
-- why: REINDEX INDEX blocks writes and reads through the index while it rebuilds
REINDEX INDEX users_email_idx;
