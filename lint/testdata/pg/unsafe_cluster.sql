-- expect: cluster
CLUSTER orders USING orders_pkey;
