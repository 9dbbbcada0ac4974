-- label: safe
-- source: any migration directory
-- why: one row
UPDATE accounts SET plan = 'pro' WHERE id = 42;
