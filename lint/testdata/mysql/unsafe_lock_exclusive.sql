-- expect: mysql-explicit-lock
ALTER TABLE users ADD INDEX idx_email (email), LOCK=EXCLUSIVE;
