-- full schema snapshot kept next to the migrations (for sqlc)
CREATE TABLE accounts (id int PRIMARY KEY);
