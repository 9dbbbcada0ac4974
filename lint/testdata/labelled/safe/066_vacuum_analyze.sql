-- label: safe
-- source: any migration directory
-- why: VACUUM takes SHARE UPDATE EXCLUSIVE: reads and writes go on
VACUUM (ANALYZE) orders;
