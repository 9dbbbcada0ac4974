-- expect: create-index-non-concurrent
SET lock_timeout = '2s';
CREATE INDEX orders_open_idx ON orders (created_at) WHERE status = 'open';
