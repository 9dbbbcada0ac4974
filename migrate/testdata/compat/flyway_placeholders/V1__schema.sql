CREATE TABLE ${flyway:defaultSchema}.customer (id INT PRIMARY KEY, name VARCHAR(100));
INSERT INTO customer (id, name) VALUES (1, 'created by ${flyway:user}');
