CREATE TABLE ledger (id serial PRIMARY KEY, amount int);
