-- expect: none
-- strata:no-transaction
REINDEX INDEX CONCURRENTLY orders_pkey;
