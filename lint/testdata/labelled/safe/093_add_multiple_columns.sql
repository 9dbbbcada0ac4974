-- label: safe
-- source: Django sqlmigrate output
-- why: catalog-only (constant defaults)
BEGIN;
ALTER TABLE "orders" ADD COLUMN "gift_note" text NULL;
ALTER TABLE "orders" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;
COMMIT;
