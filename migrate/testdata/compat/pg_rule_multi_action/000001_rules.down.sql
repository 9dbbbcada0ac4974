DROP TABLE orders;
DROP TABLE orders_log;
