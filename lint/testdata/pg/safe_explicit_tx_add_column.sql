-- expect: none
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN bio text;
COMMIT;
