-- expect: drop-table rename-table
BEGIN;
ALTER TABLE events RENAME TO events_old;
ALTER TABLE events_new RENAME TO events;
DROP TABLE events_old;
COMMIT;
