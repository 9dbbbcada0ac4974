-- expect: none
-- strata runs a file outside a transaction when a statement cannot run in one, whatever its format (goose and dbmate would wrap it and fail; add their no-transaction directive to keep the file portable)
-- +goose Up
VACUUM ANALYZE orders;
