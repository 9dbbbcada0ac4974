-- expect: create-index-non-concurrent
CREATE OR REPLACE PROCEDURE add_indexes()
LANGUAGE plpgsql AS $$
BEGIN
  CREATE INDEX orders_user_idx ON orders (user_id);
END;
$$;
CALL add_indexes();
DROP PROCEDURE add_indexes();
