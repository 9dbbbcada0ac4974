-- label: safe
-- source: squawk rule docs, adding-foreign-key-constraint (squawkhq.com/docs/adding-foreign-key-constraint)
-- why: NOT VALID: no scan, brief lock
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
