-- label: unsafe
-- source: real migration (Bridgeless-Project/callisto database/schema/17-gov-proposals.sql shape)
-- why: json to jsonb converts every value: rewrite
ALTER TABLE orders ALTER COLUMN meta TYPE jsonb USING meta::jsonb;
