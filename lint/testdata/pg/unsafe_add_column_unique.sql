-- expect: add-column-constraint
ALTER TABLE users ADD COLUMN handle text UNIQUE;
