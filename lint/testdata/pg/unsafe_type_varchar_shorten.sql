-- expect: alter-column-type
-- column-type: users.name varchar(100)
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN name TYPE varchar(50);
