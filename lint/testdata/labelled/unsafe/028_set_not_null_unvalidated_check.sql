-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (SET NOT NULL skips the scan only for a validated CHECK)
-- why: the CHECK is NOT VALID, so SET NOT NULL still scans under ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_placed_nn CHECK (placed_at IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN placed_at SET NOT NULL;
