-- expect: lock-table
LOCK TABLES users WRITE;
UPDATE users SET x = 1 WHERE id = 1;
UNLOCK TABLES;
