-- expect: add-column-required
ALTER TABLE t ADD COLUMN tags text[] NOT NULL;
