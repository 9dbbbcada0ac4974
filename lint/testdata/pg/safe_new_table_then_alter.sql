-- expect: none
CREATE TABLE tags (id bigint PRIMARY KEY, name text);
ALTER TABLE tags ALTER COLUMN name SET NOT NULL;
ALTER TABLE tags ADD COLUMN slug text NOT NULL;
UPDATE tags SET name = lower(name);
DROP TABLE tags;
