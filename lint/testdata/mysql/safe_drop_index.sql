-- expect: none
DROP INDEX idx_old ON users;
