-- expect: add-foreign-key set-not-null
ALTER TABLE orders
  ALTER COLUMN user_id SET NOT NULL,
  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
