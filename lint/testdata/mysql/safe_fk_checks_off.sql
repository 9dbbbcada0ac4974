-- expect: none
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);
SET foreign_key_checks = 1;
