-- label: unsafe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: a partial index still reads the whole table under SHARE
CREATE INDEX orders_open_idx ON orders (placed_at) WHERE status = 'open';
