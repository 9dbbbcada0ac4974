-- expect: none
CREATE TEMP TABLE tmp_ids (id bigint);
CREATE INDEX ON tmp_ids (id);
UPDATE tmp_ids SET id = id + 1;
