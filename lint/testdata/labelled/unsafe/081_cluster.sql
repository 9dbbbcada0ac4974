-- label: unsafe
-- source: PostgreSQL docs, explicit locking (explicit-locking.html)
-- why: CLUSTER rewrites orders under ACCESS EXCLUSIVE
CLUSTER orders USING orders_pkey;
