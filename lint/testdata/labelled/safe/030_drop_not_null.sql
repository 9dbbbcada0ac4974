-- label: safe
-- source: squawk rule docs, ban-drop-not-null (squawkhq.com/docs/ban-drop-not-null)
-- why: catalog-only change
ALTER TABLE accounts ALTER COLUMN name DROP NOT NULL;
