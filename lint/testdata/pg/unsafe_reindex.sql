-- expect: reindex-non-concurrent
REINDEX INDEX orders_pkey;
