-- label: safe
-- source: any migration directory
-- why: SHARE UPDATE EXCLUSIVE
ANALYZE orders;
