-- label: unsafe
-- source: strong_migrations README, adding an auto-incrementing column (github.com/ankane/strong_migrations)
-- why: a serial column fills every row from nextval: rewrite under ACCESS EXCLUSIVE
ALTER TABLE audit_log ADD COLUMN seq bigserial;
