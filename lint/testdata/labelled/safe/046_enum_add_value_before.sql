-- label: safe
-- source: PostgreSQL docs, ALTER TYPE
-- why: catalog-only
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'cancelled' BEFORE 'paid';
