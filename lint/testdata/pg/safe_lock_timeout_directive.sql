-- expect: none
-- strata:lock-timeout 2s
ALTER TABLE users ADD COLUMN bio text;
