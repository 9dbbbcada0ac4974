-- expect: none
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';
