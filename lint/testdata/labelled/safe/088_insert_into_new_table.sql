-- label: safe
-- source: any migration directory
-- why: writes to a table created in the same migration
CREATE TABLE user_emails (user_id integer, email text);
INSERT INTO user_emails SELECT id, email FROM users;
