-- label: unsafe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: SHARE lock on users for the whole build
CREATE INDEX users_lower_email_idx ON users (lower(email));
