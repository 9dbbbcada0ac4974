-- label: safe
-- source: real migration (redmine change_roles_name_limit: string limit 30 to 255)
-- why: a longer varchar limit: no rewrite
ALTER TABLE accounts ALTER COLUMN slug TYPE character varying(255);
