-- label: unsafe
-- source: Atlas lint analyzers, DS102 (atlasgo.io/lint/analyzers)
-- why: running code breaks, and CASCADE drops dependent objects too
DROP TABLE IF EXISTS audit_log CASCADE;
