-- expect: mysql-blocking-alter
ALTER TABLE users MODIFY COLUMN age BIGINT NOT NULL;
