-- label: unsafe
-- source: squawk rule docs, adding-field-with-default (squawkhq.com/docs/adding-field-with-default), PostgreSQL 10
-- why: before PostgreSQL 11 any default rewrites the table
-- server-version: 10
ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';
