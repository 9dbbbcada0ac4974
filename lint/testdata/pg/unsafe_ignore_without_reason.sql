-- expect: lint-ignore-reason create-index-non-concurrent
-- strata:lint-ignore create-index-non-concurrent
CREATE INDEX idx_a ON a (b);
