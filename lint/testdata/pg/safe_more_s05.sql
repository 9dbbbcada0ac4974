-- expect: none
CREATE SEQUENCE IF NOT EXISTS invoice_numbers;
ALTER TABLE invoices ALTER COLUMN number SET DEFAULT nextval('invoice_numbers');
