-- expect: alter-column-type
-- column-type: events.a timestamp
-- column-type: events.b timestamp
-- SET LOCAL TimeZone holds until the transaction ends: the first change
-- runs under UTC (no rewrite), the second under the server's own setting, unknown
-- here, so it is refused.
SET lock_timeout = '2s';
BEGIN;
SET LOCAL TimeZone = 'Etc/UTC';
ALTER TABLE events ALTER COLUMN a TYPE timestamptz;
COMMIT;
ALTER TABLE events ALTER COLUMN b TYPE timestamptz;
