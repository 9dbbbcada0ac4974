-- label: unsafe
-- source: PostgreSQL docs, CREATE INDEX, building indexes concurrently (sql-createindex.html)
-- why: SHARE lock on public.orders for the whole build
CREATE INDEX ON public.orders (account_id);
