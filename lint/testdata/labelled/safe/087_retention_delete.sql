-- label: safe
-- source: any migration directory
-- why: deletes old rows nobody else writes, under row locks only
DELETE FROM events WHERE happened_at < now() - interval '1 year';
