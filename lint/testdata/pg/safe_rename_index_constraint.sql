-- expect: none
ALTER INDEX idx_a RENAME TO idx_b;
ALTER TABLE users RENAME CONSTRAINT c1 TO c2;
