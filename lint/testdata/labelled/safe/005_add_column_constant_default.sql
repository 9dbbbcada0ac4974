-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (PostgreSQL 11+: a non-volatile default is stored once)
-- why: no rewrite
ALTER TABLE users ADD COLUMN plan_tier text NOT NULL DEFAULT 'free';
