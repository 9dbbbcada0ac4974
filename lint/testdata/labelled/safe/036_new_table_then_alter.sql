-- label: safe
-- source: any migration directory
-- why: ALTERs of a table created in the same migration touch no rows
CREATE TABLE carts (id bigint PRIMARY KEY, user_id integer);
ALTER TABLE carts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE carts ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE carts ADD CONSTRAINT carts_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
