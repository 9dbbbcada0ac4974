-- label: safe
-- source: PostgreSQL docs, ALTER TYPE (12+: ADD VALUE in a transaction)
-- why: catalog-only on PostgreSQL 12+
ALTER TYPE order_state ADD VALUE 'refunded';
