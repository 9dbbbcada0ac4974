-- label: unsafe
-- source: squawk rule docs, require-concurrent-reindex (squawkhq.com/docs/require-concurrent-reindex)
-- why: REINDEX SCHEMA rebuilds every index of every table, blocking writes
-- strata:no-transaction
REINDEX SCHEMA public;
