-- label: safe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: writes go on
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_kind_idx ON events (kind);
