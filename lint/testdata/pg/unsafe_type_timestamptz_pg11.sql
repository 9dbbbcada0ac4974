-- expect: alter-column-type
-- server-version: 11
-- column-type: events.happened_at timestamp
SET lock_timeout = '2s';
SET TimeZone = 'UTC';
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz;
