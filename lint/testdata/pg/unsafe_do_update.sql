-- expect: update-without-where
DO $$
BEGIN
  UPDATE accounts SET balance = 0;
END $$;
