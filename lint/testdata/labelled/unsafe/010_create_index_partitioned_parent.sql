-- label: unsafe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html); CONCURRENTLY is not allowed on a partitioned table
-- why: SHARE lock on every partition for the whole build
CREATE INDEX measurements_logdate_idx ON measurements (logdate);
