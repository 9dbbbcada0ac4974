-- expect: none
-- strata:no-transaction
ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;
