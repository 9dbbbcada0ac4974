-- strata:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
-- strata:down
DROP TABLE users;
