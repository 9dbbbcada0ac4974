CREATE TABLE accounts (id bigint PRIMARY KEY, owner text);
INSERT INTO accounts VALUES (1, 'ada');
