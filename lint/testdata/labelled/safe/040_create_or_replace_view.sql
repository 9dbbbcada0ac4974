-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE OR REPLACE VIEW paid_orders AS SELECT id, total FROM orders WHERE status = 'paid';
