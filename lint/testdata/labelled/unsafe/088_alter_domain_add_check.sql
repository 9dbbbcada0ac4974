-- label: unsafe
-- source: squawk rule docs, ban-alter-domain-with-add-constraint (squawkhq.com/docs/ban-alter-domain-with-add-constraint)
-- why: every column of the domain is checked under SHARE
ALTER DOMAIN short_code ADD CONSTRAINT short_code_len CHECK (length(VALUE) <= 8);
