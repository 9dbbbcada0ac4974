-- strata:up
CREATE UNIQUE INDEX users_email ON users (email);
INSERT INTO users (email) VALUES ('ada@example.com');
-- strata:down
DROP INDEX users_email;
