-- expect: none
ALTER TABLE users ADD COLUMN plan text;
UPDATE users SET plan = 'free' WHERE id >= 1 AND id < 5001;
