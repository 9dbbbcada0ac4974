-- expect: enum-value-in-transaction
-- server-version: 11
-- +goose Up
ALTER TYPE mood ADD VALUE 'meh';
