-- expect: create-index-non-concurrent
CREATE INDEX events_at ON events (at);
TRUNCATE events_staging;
