-- label: unsafe
-- source: squawk rule docs, require-concurrent-index-deletion (squawkhq.com/docs/require-concurrent-index-deletion)
-- why: ACCESS EXCLUSIVE on users
DROP INDEX IF EXISTS users_email_idx;
