-- label: safe
-- source: squawk rule docs, adding-foreign-key-constraint (squawkhq.com/docs/adding-foreign-key-constraint)
-- why: VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
