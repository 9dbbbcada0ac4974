-- label: safe
-- source: any migration directory
-- why: a view is catalog-only
CREATE VIEW active_users AS SELECT id, email FROM users WHERE active;
