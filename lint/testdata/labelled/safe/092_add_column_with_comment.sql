-- label: safe
-- source: any migration directory
-- why: catalog-only
ALTER TABLE products ADD COLUMN color text;
COMMENT ON COLUMN products.color IS 'display colour';
