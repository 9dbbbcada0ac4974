-- expect: set-not-null
DO $$
BEGIN
  FOR r IN SELECT tablename FROM pg_tables LOOP
    NULL;
  END LOOP;
  ALTER TABLE users ALTER COLUMN email SET NOT NULL;
END $$;
