-- label: unsafe
-- source: squawk rule docs, disallowed-unique-constraint (squawkhq.com/docs/disallowed-unique-constraint)
-- why: the inline UNIQUE builds an index under ACCESS EXCLUSIVE
ALTER TABLE users ADD COLUMN external_id text UNIQUE;
