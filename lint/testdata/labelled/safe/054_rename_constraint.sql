-- label: safe
-- source: any migration directory
-- why: catalog-only
ALTER TABLE orders RENAME CONSTRAINT orders_user_id_fkey TO orders_user_fk;
