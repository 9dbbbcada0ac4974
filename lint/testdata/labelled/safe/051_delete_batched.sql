-- label: safe
-- source: strong_migrations README, backfilling data (github.com/ankane/strong_migrations)
-- why: one bounded batch
DELETE FROM sessions WHERE token IN (SELECT token FROM sessions WHERE expires_at < now() LIMIT 1000);
