-- label: safe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: a leaf partition can be indexed concurrently
CREATE INDEX CONCURRENTLY measurements_2024_peak_idx ON measurements_2024 (peak);
