-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE OR REPLACE FUNCTION order_total(o orders) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT o.total $$;
