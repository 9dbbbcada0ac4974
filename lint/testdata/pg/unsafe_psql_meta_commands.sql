-- expect: create-index-non-concurrent
\set ON_ERROR_STOP on
\timing
SELECT id INTO TEMP scratch_ids FROM users WHERE active;
CREATE INDEX ON scratch_ids (id);
CREATE INDEX users_active_idx ON users (active);
