-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE TABLE reporting.daily (day date PRIMARY KEY, total numeric);
