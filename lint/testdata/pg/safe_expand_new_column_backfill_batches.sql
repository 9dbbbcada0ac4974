-- expect: none
ALTER TABLE users ADD COLUMN email_normalized text;
COMMIT;
UPDATE users SET email_normalized = lower(email) WHERE id BETWEEN 1 AND 10000;
UPDATE users SET email_normalized = lower(email) WHERE id BETWEEN 10001 AND 20000;
