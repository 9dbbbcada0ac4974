-- label: unsafe
-- source: PostgreSQL 11 docs, ALTER TYPE (ADD VALUE cannot run in a transaction block)
-- why: fails inside the migration transaction before PostgreSQL 12
-- server-version: 11
ALTER TYPE order_state ADD VALUE 'refunded';
