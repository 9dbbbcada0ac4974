-- label: unsafe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: the DELETE holds the DDL lock until it commits
ALTER TABLE events ADD COLUMN source text;
DELETE FROM events WHERE happened_at < now() - interval '90 days';
