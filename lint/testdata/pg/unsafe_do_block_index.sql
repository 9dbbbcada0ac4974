-- expect: create-index-non-concurrent
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'idx_orders_user') THEN
    CREATE INDEX idx_orders_user ON orders (user_id);
  END IF;
END
$$;
