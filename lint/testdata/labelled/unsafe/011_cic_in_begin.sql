-- label: unsafe
-- source: squawk rule docs, ban-concurrent-index-creation-in-transaction (squawkhq.com/docs/ban-concurrent-index-creation-in-transaction)
-- why: CREATE INDEX CONCURRENTLY cannot run inside a transaction block: the migration fails
-- fails: yes
BEGIN;
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
COMMIT;
