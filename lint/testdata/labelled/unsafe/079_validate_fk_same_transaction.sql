-- label: unsafe
-- source: squawk rule docs, adding-foreign-key-constraint (squawkhq.com/docs/adding-foreign-key-constraint)
-- why: VALIDATE in the same transaction keeps SHARE ROW EXCLUSIVE on both tables during the scan
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;
