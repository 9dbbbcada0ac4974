-- expect: none
DO $$
BEGIN
  LOOP
    UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 1000);
    EXIT WHEN NOT FOUND;
    COMMIT;
  END LOOP;
END $$;
