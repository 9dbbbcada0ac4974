-- label: safe
-- source: any migration directory
-- why: one row
INSERT INTO accounts (name, plan) VALUES ('system', 'internal');
