-- label: safe
-- source: real migration (opf/openproject change_changes_path_length_limit: string to text)
-- why: varchar to text is binary coercible: no rewrite
ALTER TABLE users ALTER COLUMN bio TYPE text;
