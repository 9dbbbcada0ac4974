-- label: safe
-- source: any migration directory
-- why: catalog-only
ALTER SEQUENCE events_id_seq CACHE 10;
