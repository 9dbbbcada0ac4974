-- label: safe
-- source: any migration directory
-- why: catalog-only
COMMENT ON COLUMN users.bio IS 'shown on the profile page';
