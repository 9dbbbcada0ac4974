-- expect: none
CREATE TABLE invoices (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id BIGINT NOT NULL, total DECIMAL(12,2));
CREATE INDEX idx_user ON invoices (user_id);
ALTER TABLE invoices MODIFY COLUMN total DECIMAL(14,2);
