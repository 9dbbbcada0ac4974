-- strata:lock-timeout 2s
-- strata:up
CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id),
  total_cents BIGINT NOT NULL
);
CREATE INDEX orders_user_id ON orders (user_id);

-- strata:down
DROP TABLE orders;
