-- label: safe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: writes go on
CREATE UNIQUE INDEX CONCURRENTLY users_nickname_uidx ON users (nickname);
