-- label: unsafe
-- source: Django sqlmigrate output, as in squawk test cases
-- why: SHARE ROW EXCLUSIVE on both tables while every row is checked
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_fk2" FOREIGN KEY ("user_id") REFERENCES "users" ("id") DEFERRABLE INITIALLY DEFERRED;
