-- label: unsafe
-- source: squawk rule docs, adding-not-nullable-field (squawkhq.com/docs/adding-not-nullable-field)
-- why: ACCESS EXCLUSIVE on users while every row is scanned
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
