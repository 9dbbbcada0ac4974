-- expect: alter-column-type
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz;
