-- label: unsafe
-- source: PostgreSQL docs, explicit locking (explicit-locking.html)
-- why: SHARE on users blocks writes until the transaction ends
LOCK TABLE users IN SHARE MODE;
UPDATE accounts SET plan = 'pro' WHERE id = 1;
