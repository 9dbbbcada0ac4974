-- expect: none
ALTER TABLE users ADD COLUMN a timestamptz DEFAULT CURRENT_TIMESTAMP, ADD COLUMN b text[] DEFAULT ARRAY[]::text[], ADD COLUMN c date DEFAULT (now() + interval '1 day')::date;
