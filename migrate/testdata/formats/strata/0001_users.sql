-- STRATA:Lock-Timeout 2s
-- strata:up
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
--strata:statement-begin
CREATE FUNCTION users_email_lower() RETURNS trigger AS $$
BEGIN NEW.email := lower(NEW.email); RETURN NEW; END;
$$ LANGUAGE plpgsql;
-- strata:statement-end
CREATE TRIGGER users_email BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_email_lower();

-- strata:down
DROP TABLE users;
DROP FUNCTION users_email_lower();
