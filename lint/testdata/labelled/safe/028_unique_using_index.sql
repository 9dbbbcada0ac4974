-- label: safe
-- source: squawk rule docs, disallowed-unique-constraint (squawkhq.com/docs/disallowed-unique-constraint)
-- why: index built concurrently, then attached without a build
CREATE UNIQUE INDEX CONCURRENTLY users_nickname_uidx ON users (nickname);
ALTER TABLE users ADD CONSTRAINT users_nickname_key UNIQUE USING INDEX users_nickname_uidx;
