-- expect: set-not-null
DO $do$
DECLARE
  t text := 'users';
BEGIN
  EXECUTE format('ALTER TABLE %I ALTER COLUMN email SET NOT NULL', t);
END
$do$;
