-- label: safe
-- source: any migration directory
-- why: indexes on a table created in the same migration are built on an empty table
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint, status text);
CREATE INDEX invoices_order_idx ON invoices (order_id);
CREATE UNIQUE INDEX invoices_status_idx ON invoices (status, id);
