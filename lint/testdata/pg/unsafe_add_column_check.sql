-- expect: add-column-constraint
ALTER TABLE users ADD COLUMN age int CHECK (age >= 0);
