-- expect: alter-column-type
ALTER TABLE events ALTER COLUMN payload SET DATA TYPE jsonb;
