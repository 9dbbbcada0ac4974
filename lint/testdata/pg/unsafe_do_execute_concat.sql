-- expect: add-foreign-key
DO $$
DECLARE
  tbl text := 'orders';
BEGIN
  EXECUTE 'ALTER TABLE ' || quote_ident(tbl) || ' ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id)';
END $$;
