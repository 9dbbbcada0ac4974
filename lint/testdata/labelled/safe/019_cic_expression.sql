-- label: safe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: writes go on
CREATE INDEX CONCURRENTLY users_lower_email_idx ON users (lower(email));
