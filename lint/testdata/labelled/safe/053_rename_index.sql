-- label: safe
-- source: any migration directory
-- why: SHARE UPDATE EXCLUSIVE, catalog-only
ALTER INDEX orders_status_idx RENAME TO orders_state_idx;
