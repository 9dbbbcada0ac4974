-- expect: alter-column-type
-- column-type: events.at timestamp(6)
SET lock_timeout = '2s';
ALTER TABLE events ALTER COLUMN at TYPE timestamp(3);
