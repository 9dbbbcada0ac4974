-- expect: create-index-non-concurrent
CREATE INDEX idx_a ON a (b);
