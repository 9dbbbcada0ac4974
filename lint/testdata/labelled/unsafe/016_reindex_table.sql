-- label: unsafe
-- source: squawk rule docs, require-concurrent-reindex (squawkhq.com/docs/require-concurrent-reindex)
-- why: REINDEX TABLE blocks writes while every index is rebuilt
REINDEX TABLE orders;
