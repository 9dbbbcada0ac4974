-- expect: add-column-volatile-default
DO $$
BEGIN
  EXECUTE 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()';
END;
$$ LANGUAGE plpgsql;
