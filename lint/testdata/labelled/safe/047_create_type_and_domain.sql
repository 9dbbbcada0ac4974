-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
