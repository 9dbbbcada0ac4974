-- expect: none
CREATE TABLE users_new (LIKE users INCLUDING ALL);
ALTER TABLE users_new ADD COLUMN extra int NOT NULL DEFAULT 0;
CREATE INDEX ON users_new (extra);
