-- label: unsafe
-- source: squawk rule docs, disallowed-unique-constraint (squawkhq.com/docs/disallowed-unique-constraint)
-- why: ACCESS EXCLUSIVE on users while a unique index is built
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
