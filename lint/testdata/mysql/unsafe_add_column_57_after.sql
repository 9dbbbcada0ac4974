-- expect: none
-- server-version: 5.7
ALTER TABLE users ADD COLUMN bio TEXT AFTER name;
