-- expect: none
-- strata:lint-ignore drop-column -- v41 stopped reading legacy_name
ALTER TABLE users DROP COLUMN legacy_name;
