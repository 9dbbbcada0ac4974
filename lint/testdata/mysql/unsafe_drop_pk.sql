-- expect: mysql-blocking-alter
ALTER TABLE events DROP PRIMARY KEY;
