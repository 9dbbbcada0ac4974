-- label: unsafe
-- source: PostgreSQL docs, DO (a DO block runs inside a transaction)
-- why: a DO block always runs in a transaction: CONCURRENTLY fails
-- fails: yes
DO $$
BEGIN
  EXECUTE 'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)';
END
$$;
