-- expect: none
CREATE INDEX idx_email ON users (email);
ALTER TABLE orders ADD INDEX idx_created (created_at), ALGORITHM=INPLACE, LOCK=NONE;
