-- label: unsafe
-- source: squawk rule docs, require-concurrent-index-creation (squawkhq.com/docs/require-concurrent-index-creation)
-- why: SHARE lock on events for the whole build
CREATE INDEX IF NOT EXISTS events_kind_idx ON events (kind);
