-- expect: create-index-non-concurrent
CREATE INDEX ON app.orders (created_at);
