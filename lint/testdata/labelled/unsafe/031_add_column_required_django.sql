-- label: unsafe
-- source: Django sqlmigrate output, as in squawk test cases
-- why: NOT NULL without a default fails on a table that has rows
-- fails: yes
BEGIN;
ALTER TABLE "orders" ADD COLUMN "channel" varchar(20) NOT NULL;
COMMIT;
