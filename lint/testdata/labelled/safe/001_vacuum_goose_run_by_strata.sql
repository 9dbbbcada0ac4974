-- label: safe
-- source: goose runs each file in a transaction
-- why: strata runs a file holding a statement that cannot run in a transaction outside one, whatever its format
-- +goose Up
VACUUM ANALYZE orders;
