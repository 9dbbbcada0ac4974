-- expect: update-without-where
UPDATE users SET active = 1;
