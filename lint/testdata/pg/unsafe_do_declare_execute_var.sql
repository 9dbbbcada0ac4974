-- expect: add-unique-constraint
DO $$
DECLARE
  stmt text;
BEGIN
  stmt := 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)';
  EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)';
END $$;
