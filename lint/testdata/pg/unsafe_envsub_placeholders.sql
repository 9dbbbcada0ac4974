-- expect: create-index-non-concurrent
-- strata:envsub
CREATE INDEX users_email_idx ON ${SCHEMA}.users (email);
COMMENT ON TABLE ${SCHEMA}.users IS 'in ${SCHEMA:-public}';
