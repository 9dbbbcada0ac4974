-- expect: alter-column-type
-- column-type: users.email text
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email TYPE varchar(200);
