-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: SET UNLOGGED rewrites events under ACCESS EXCLUSIVE
ALTER TABLE events SET UNLOGGED;
