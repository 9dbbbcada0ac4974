-- label: unsafe
-- source: squawk rule docs, changing-column-type (squawkhq.com/docs/changing-column-type)
-- why: json to jsonb: rewrite
ALTER TABLE events ALTER COLUMN data TYPE jsonb USING data::jsonb;
