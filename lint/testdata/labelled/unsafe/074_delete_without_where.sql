-- label: unsafe
-- source: Atlas lint analyzers, DS1xx destructive changes (atlasgo.io/lint/analyzers)
-- why: every row deleted and locked in one transaction
DELETE FROM sessions;
