-- label: unsafe
-- source: squawk rule docs, adding-foreign-key-constraint (squawkhq.com/docs/adding-foreign-key-constraint)
-- why: SHARE ROW EXCLUSIVE on orders and accounts while every row is checked
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
