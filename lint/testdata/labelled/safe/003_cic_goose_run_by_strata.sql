-- label: safe
-- source: goose runs each file in a transaction unless -- +goose NO TRANSACTION
-- why: strata runs a file holding a statement that cannot run in a transaction outside one, whatever its format
-- +goose Up
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
