-- expect: none
UPDATE users SET plan = 'free' WHERE id >= 1 AND id < 10001 AND plan IS NULL;
