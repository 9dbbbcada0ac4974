-- expect: alter-column-type
ALTER TABLE users ALTER COLUMN status TYPE user_status USING status::user_status;
