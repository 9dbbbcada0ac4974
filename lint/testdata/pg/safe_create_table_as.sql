-- expect: none
CREATE TABLE user_stats AS SELECT user_id, count(*) FROM orders GROUP BY user_id;
CREATE INDEX ON user_stats (user_id);
