-- expect: none
-- strata:up
ALTER TABLE users ADD COLUMN bio text;
-- strata:down
ALTER TABLE users DROP COLUMN bio;
