-- expect: none
DO $$
BEGIN
  CREATE TABLE IF NOT EXISTS jobs (id bigint PRIMARY KEY, state text);
  CREATE INDEX IF NOT EXISTS jobs_state_idx ON jobs (state);
END $$;
