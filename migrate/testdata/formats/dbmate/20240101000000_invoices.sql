--migrate:up
CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric NOT NULL);

--migrate:down
DROP TABLE invoices;
