-- label: safe
-- source: DO blocks guarding DDL (Supabase-style migrations)
-- why: catalog-only
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('ok', 'bad');
  END IF;
END
$$;
