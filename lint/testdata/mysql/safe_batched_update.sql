-- expect: none
UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 5000;
DELETE FROM sessions WHERE expires_at < NOW() LIMIT 5000;
