-- label: safe
-- source: squawk rule docs, adding-foreign-key-constraint (squawkhq.com/docs/adding-foreign-key-constraint)
-- why: a new all-NULL column needs no check: brief locks only
ALTER TABLE users ADD COLUMN referrer_id integer REFERENCES users (id);
