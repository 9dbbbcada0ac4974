-- expect: none
ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';
