-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE VIEW v_tmp AS SELECT 1 AS x;
DROP VIEW v_tmp;
