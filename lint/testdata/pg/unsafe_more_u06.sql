-- expect: lock-table
LOCK TABLE accounts IN EXCLUSIVE MODE;
UPDATE accounts SET balance = 0 WHERE id = 1;
