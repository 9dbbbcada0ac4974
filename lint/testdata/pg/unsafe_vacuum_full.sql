-- expect: vacuum-full
-- strata:no-transaction
VACUUM FULL orders;
