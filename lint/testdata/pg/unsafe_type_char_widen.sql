-- expect: alter-column-type
-- column-type: codes.code character(5)
-- char(n) pads every value to its length: a longer char is a rewrite.
SET lock_timeout = '2s';
ALTER TABLE codes ALTER COLUMN code TYPE char(10);
