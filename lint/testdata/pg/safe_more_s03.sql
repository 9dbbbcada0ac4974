-- expect: none
ALTER TABLE t ADD COLUMN c text COLLATE "C";
