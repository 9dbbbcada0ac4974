-- expect: none
-- strata:lint-ignore drop-column -- v41 stopped reading legacy_name
-- strata:up
ALTER TABLE users DROP COLUMN legacy_name;
-- strata:down
ALTER TABLE users ADD COLUMN legacy_name text;
