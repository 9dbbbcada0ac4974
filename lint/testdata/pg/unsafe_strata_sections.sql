-- expect: add-foreign-key
-- strata:up
SET lock_timeout = '3s';

ALTER TABLE orders
  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);

-- strata:down
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;
