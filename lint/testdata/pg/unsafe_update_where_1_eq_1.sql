-- expect: update-without-where
UPDATE users SET active = false WHERE 1 = 1;
