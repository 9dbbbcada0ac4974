-- label: safe
-- source: squawk docs, safe migrations (set lock_timeout)
-- why: catalog-only change under a lock timeout
SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN region text;
