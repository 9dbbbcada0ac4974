-- strata:up
CREATE TABLE users (
  id    INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE
);
INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'grace@example.com');

-- strata:down
DROP TABLE users;
