-- expect: delete-without-where
DO $$
BEGIN
  EXECUTE 'DELETE FROM audit_log';
END $$;
