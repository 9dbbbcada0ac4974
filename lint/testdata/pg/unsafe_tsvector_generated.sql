-- expect: add-column-generated
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, ''))) STORED;
