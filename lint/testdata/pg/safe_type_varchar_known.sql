-- expect: none
-- column-type: users.name varchar(50)
-- column-type: users.nick character varying(20)
-- column-type: users.bio varchar(500)
-- column-type: users.email text
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN name TYPE varchar(100);
ALTER TABLE users ALTER COLUMN nick TYPE varchar;
ALTER TABLE users ALTER COLUMN bio TYPE text;
ALTER TABLE users ALTER COLUMN email TYPE varchar;
