-- expect: statement-not-transactional vacuum-full
DO $$
BEGIN
  PERFORM pg_sleep(0);
  EXECUTE 'VACUUM FULL big_table';
END $$;
