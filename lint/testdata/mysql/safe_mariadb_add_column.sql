-- expect: none
-- server-version: 10.6
ALTER TABLE users ADD COLUMN bio TEXT AFTER name;
