-- expect: mysql-blocking-alter
ALTER TABLE products ADD COLUMN total DECIMAL(10,2) AS (price * qty) STORED;
