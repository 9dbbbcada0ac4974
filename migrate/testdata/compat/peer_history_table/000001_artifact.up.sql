CREATE TABLE artifact (id serial PRIMARY KEY);
