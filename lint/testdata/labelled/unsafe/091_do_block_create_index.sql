-- label: unsafe
-- source: DO blocks that run DDL (seen in Supabase-style migrations)
-- why: the EXECUTEd CREATE INDEX takes SHARE on orders for the whole build
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'orders_placed_idx') THEN
    EXECUTE 'CREATE INDEX orders_placed_idx ON orders (placed_at)';
  END IF;
END
$$;
