-- expect: reindex-non-concurrent
-- strata:no-transaction
REINDEX DATABASE app;
