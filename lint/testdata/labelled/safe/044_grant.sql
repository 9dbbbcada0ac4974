-- label: safe
-- source: any migration directory
-- why: catalog-only
GRANT SELECT ON orders TO PUBLIC;
