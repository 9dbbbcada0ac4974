-- label: unsafe
-- source: Django sqlmigrate output, as in squawk test cases
-- why: running code that reads the old name breaks
BEGIN;
ALTER TABLE "users" RENAME COLUMN "role" TO "user_role";
COMMIT;
