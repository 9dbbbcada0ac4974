-- label: unsafe
-- source: PostgreSQL docs, ALTER DOMAIN notes (sql-altertable.html)
-- why: every column of the domain is checked under SHARE
ALTER DOMAIN short_code SET NOT NULL;
