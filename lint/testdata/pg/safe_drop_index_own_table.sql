-- expect: none
CREATE TABLE scratch (id int);
CREATE INDEX scratch_id ON scratch (id);
DROP INDEX scratch_id;
