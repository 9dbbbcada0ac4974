-- expect: drop-index-non-concurrent
DROP INDEX idx_users_email;
