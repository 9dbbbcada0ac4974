-- expect: none
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
ALTER TABLE users ALTER COLUMN plan SET NOT NULL;
