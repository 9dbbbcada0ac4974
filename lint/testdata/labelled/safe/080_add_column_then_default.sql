-- label: safe
-- source: any migration directory
-- why: catalog-only changes
ALTER TABLE users ADD COLUMN locale text;
ALTER TABLE users ALTER COLUMN locale SET DEFAULT 'en';
