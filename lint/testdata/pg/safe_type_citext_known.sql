-- expect: none
-- column-type: users.email character varying(200)
-- varchar is binary coercible to citext: no rewrite, but citext sorts with
-- its own operator class, so the column's indexes are rebuilt.
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email TYPE citext;
