-- expect: alter-column-type
-- column-type: events.happened_at timestamp
SET lock_timeout = '2s';
SET TIME ZONE 'Europe/Paris';
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz;
