-- label: safe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html) (PostgreSQL 12+ uses a validated CHECK)
-- why: each step in its own transaction; SET NOT NULL uses the check, no scan
-- strata:no-transaction
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_nn;
