-- expect: none
UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL ORDER BY id LIMIT 5000);
