-- label: safe
-- source: any migration directory
-- why: catalog-only
ALTER TABLE orders OWNER TO CURRENT_USER;
