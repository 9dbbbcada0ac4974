-- label: safe
-- source: dbmate runs each file in a transaction unless transaction:false
-- why: strata runs a file holding a statement that cannot run in a transaction outside one, whatever its format
-- migrate:up
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);

-- migrate:down
DROP INDEX orders_note_idx;
