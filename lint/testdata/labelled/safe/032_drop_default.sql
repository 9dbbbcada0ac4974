-- label: safe
-- source: squawk rule docs, ban-drop-default (squawkhq.com/docs/ban-drop-default)
-- why: catalog-only change
ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT;
