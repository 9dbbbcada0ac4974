-- expect: concurrently-in-transaction
-- strata:no-transaction
DO $$
BEGIN
  EXECUTE 'CREATE INDEX CONCURRENTLY i ON t (a)';
END $$;
