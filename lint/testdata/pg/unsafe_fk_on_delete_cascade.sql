-- expect: add-foreign-key
-- Link line items to their order
SET lock_timeout = '5s';
ALTER TABLE line_items
    ADD CONSTRAINT line_items_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE;
