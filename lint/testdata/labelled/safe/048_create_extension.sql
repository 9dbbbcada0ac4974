-- label: safe
-- source: any migration directory
-- why: catalog-only
CREATE EXTENSION IF NOT EXISTS pgcrypto;
