-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (binary-coercible, but the index on email is rebuilt)
-- why: users_email_idx is rebuilt under ACCESS EXCLUSIVE
ALTER TABLE users ALTER COLUMN email TYPE citext;
