-- manual data fix, not a golang-migrate migration
CREATE TABLE scratch_copy (id int);
