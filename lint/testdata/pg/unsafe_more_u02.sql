-- expect: validate-in-transaction
ALTER TABLE users ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs(id) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT fk_org;
