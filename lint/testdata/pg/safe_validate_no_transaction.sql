-- expect: none
-- strata:no-transaction
ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT total_pos;
