-- label: safe
-- source: any migration directory
-- why: a temporary table is private to the session
CREATE TEMP TABLE tmp_ids (id bigint);
CREATE INDEX tmp_ids_idx ON tmp_ids (id);
DROP TABLE tmp_ids;
