-- expect: none
COMMENT ON TABLE users IS 'people';
GRANT SELECT ON users TO reporting;
CREATE VIEW active_users AS SELECT * FROM users WHERE active;
