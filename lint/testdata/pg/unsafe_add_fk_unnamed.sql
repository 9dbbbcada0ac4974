-- expect: add-foreign-key
ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;
