-- label: safe
-- source: any migration directory
-- why: a type change on a table created in the same migration rewrites no rows
CREATE TABLE tags (id integer PRIMARY KEY, name varchar(20));
ALTER TABLE tags ALTER COLUMN id TYPE bigint;
