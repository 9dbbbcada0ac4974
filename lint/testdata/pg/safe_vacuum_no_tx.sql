-- expect: none
-- strata:no-transaction
VACUUM (ANALYZE) orders;
