-- expect: statement-not-transactional
-- +goose Up
VACUUM ANALYZE orders;
