-- label: safe
-- source: any migration directory
-- why: constraints of a new table check no rows
CREATE TABLE coupons (code text PRIMARY KEY, pct integer NOT NULL CHECK (pct BETWEEN 0 AND 100), UNIQUE (code, pct));
