-- label: unsafe
-- source: Django sqlmigrate output with a RunSQL backfill
-- why: ACCESS EXCLUSIVE held for the whole UPDATE
BEGIN;
ALTER TABLE "users" ADD COLUMN "is_vip" boolean DEFAULT false NOT NULL;
UPDATE "users" SET "is_vip" = true WHERE "score" > 100;
COMMIT;
