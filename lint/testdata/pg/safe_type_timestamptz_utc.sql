-- expect: none
-- column-type: events.happened_at timestamp without time zone
-- On PostgreSQL 12+, timestamp to timestamptz keeps every value's bits when
-- the session TimeZone is UTC: no rewrite, but timestamptz sorts with
-- another operator class, so the column's indexes are rebuilt.
SET lock_timeout = '2s';
SET TimeZone = 'UTC';
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz;
