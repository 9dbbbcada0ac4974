-- expect: none
ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_plan_check;
