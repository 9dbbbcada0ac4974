-- label: safe
-- source: any migration directory
-- why: loosening: catalog-only
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
